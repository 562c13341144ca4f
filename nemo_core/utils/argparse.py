"""Command-line parser with the flags shared by NeMo example scripts."""
import argparse
import os

__all__ = ["NemoArgParser"]


def _env_local_rank():
    """LOCAL_RANK from the environment (set by torchrun) as an int, else None."""
    value = os.environ.get("LOCAL_RANK")
    if value is None or value == "":
        return None
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"Environment variable LOCAL_RANK must be an integer, got '{value}'") from None


class NemoArgParser(argparse.ArgumentParser):
    """``argparse.ArgumentParser`` preloaded with the common NeMo flags.

    Use it like the standard parser; a script may add its own flags, and one
    that redefines a NeMo flag replaces it (``conflict_handler='resolve'``
    unless given)::

        parser = NemoArgParser(description="Jasper on AN4")
        parser.add_argument("--model_name", type=str, default="jasper")
        args = parser.parse_args()
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("conflict_handler", "resolve")
        kwargs.setdefault("formatter_class", argparse.ArgumentDefaultsHelpFormatter)
        super().__init__(**kwargs)
        self._add_runtime_flags()
        self._add_data_flags()
        self._add_optimization_flags()
        self._add_logging_flags()

    def _add_runtime_flags(self):
        """Placement, precision, reproducibility."""
        self.add_argument(
            "--local_rank",
            "--local-rank",
            dest="local_rank",
            type=int,
            default=_env_local_rank(),
            help="rank of this process on its node (default: $LOCAL_RANK, else None)",
        )
        self.add_argument("--num_gpus", type=int, default=1, help="number of GPUs per node")
        self.add_argument(
            "--amp_opt_level",
            type=str,
            default="O0",
            choices=["O0", "O1", "O2", "O3"],
            help="precision: O0 float32, O1/O2 mixed precision, O3 half precision",
        )
        self.add_argument(
            "--cudnn_benchmark", action="store_true", help="let cuDNN pick the fastest kernels (fixed input shapes)"
        )
        self.add_argument("--random_seed", type=int, default=None, help="random seed")
        self.add_argument("--num_workers", type=int, default=None,
                          help="data loader worker processes (default: none on CPU, a few per GPU)")

    def _add_data_flags(self):
        """Model definition and datasets."""
        self.add_argument("--model_config", type=str, default=None, help="model configuration file (YAML)")
        self.add_argument("--train_dataset", type=str, default=None, help="training dataset path")
        self.add_argument("--eval_datasets", type=str, nargs="*", default=None, help="evaluation dataset paths")
        self.add_argument("--batch_size", type=int, default=32, help="training batch size per GPU")
        self.add_argument("--eval_batch_size", type=int, default=None, help="evaluation batch size per GPU")
        self.add_argument("--eval_freq", type=int, default=1000, help="evaluate every this many steps")

    def _add_optimization_flags(self):
        """Optimizer, its parameters, schedule length and lr policy."""
        self.add_argument("--optimizer", type=str, default="novograd", help="optimizer name, e.g. novograd, adam, sgd")
        self.add_argument("--lr", type=float, default=1e-3, help="base learning rate")
        self.add_argument("--weight_decay", type=float, default=0.0, help="weight decay")
        self.add_argument("--momentum", type=float, default=None, help="SGD momentum")
        self.add_argument("--beta1", type=float, default=None, help="Adam/AdamW/Novograd beta1")
        self.add_argument("--beta2", type=float, default=None, help="Adam/AdamW/Novograd beta2")
        self.add_argument("--num_epochs", type=int, default=None, help="epochs to train (or give --max_steps)")
        self.add_argument("--max_steps", type=int, default=None, help="steps to train (or give --num_epochs)")
        self.add_argument(
            "--iter_per_step", type=int, default=1, help="batches of gradient accumulation per optimizer step"
        )
        self.add_argument("--lr_policy", type=str, default="WarmupAnnealing", help="learning rate policy name")
        self.add_argument("--warmup_steps", type=int, default=0, help="learning rate warmup steps")
        self.add_argument(
            "--lr_warmup_proportion", type=float, default=None, help="warmup steps as a fraction of all steps"
        )

    def _add_logging_flags(self):
        """Experiment folders, checkpoints and TensorBoard."""
        self.add_argument("--exp_name", type=str, default=None, help="experiment name")
        self.add_argument("--work_dir", type=str, default=None, help="working directory of the experiment")
        self.add_argument(
            "--checkpoint_dir", type=str, default=None, help="where checkpoints go (default: {work_dir}/checkpoints)"
        )
        self.add_argument("--load_dir", type=str, default=None, help="directory to restore checkpoints from")
        self.add_argument("--checkpoint_save_freq", type=int, default=1000, help="save a checkpoint every N steps")
        self.add_argument("--save_epoch_freq", type=int, default=1, help="save a checkpoint every N epochs (-1: off)")
        self.add_argument("--save_step_freq", type=int, default=-1, help="save a checkpoint every N steps (-1: off)")
        self.add_argument("--create_tb_writer", action="store_true", help="log to TensorBoard")
        self.add_argument("--tensorboard_dir", type=str, default=None, help="TensorBoard directory")
