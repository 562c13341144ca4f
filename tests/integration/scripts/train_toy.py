"""Train a small MLP on y = sin(x) and save what the distributed/resume tests compare.

Launched by the tests as ``python``, ``torchrun`` or ``python -m
torch.distributed.launch``; each rank writes ``<out>/rank<r>.pt`` with its final
weights and what it observed (evaluated samples, checkpoint writes, argv).
"""

import io
import os
import sys

import torch
from torch import nn

import nemo
from nemo.backends.pytorch import checkpoint
from nemo.backends.pytorch.tutorials import MSELoss, RealFunctionDataLayer
from nemo.core.neural_types import ChannelType, NeuralType


class MLP(nemo.backends.pytorch.TrainableNM):
    """x -> Linear -> tanh -> Dropout -> Linear. Ports: ``x`` (B, 1) -> ``y_pred`` (B, 1)."""

    def __init__(self, hidden=16, dropout=0.0, name=None):
        super().__init__(name=name)
        self.net = nn.Sequential(nn.Linear(1, hidden), nn.Tanh(), nn.Dropout(dropout), nn.Linear(hidden, 1))

    @property
    def input_ports(self):
        return {"x": NeuralType(("B", "D"), ChannelType())}

    @property
    def output_ports(self):
        return {"y_pred": NeuralType(("B", "D"), ChannelType())}

    def forward(self, x):
        return self.net(x)


class FailAt(nemo.core.ActionCallback):
    """Raise on ``rank`` once ``step`` is reached."""

    def __init__(self, rank, step):
        super().__init__()
        self.rank, self.fail_step = rank, step

    def on_iteration_end(self):
        if self.global_rank == self.rank and self.step >= self.fail_step:
            raise RuntimeError(f"deliberate failure on rank {self.rank} at step {self.step}")


class CrashInSave(nemo.core.ActionCallback):
    """At ``step``, make the ``call``-th ``torch.save`` (into an open file) write half its bytes, then die."""

    def __init__(self, step, call):
        super().__init__()
        self.crash_step, self.call = step, call

    def on_iteration_end(self):
        if self.step != self.crash_step:
            return
        real_save, calls = torch.save, []

        def save(obj, f, *args, **kwargs):
            calls.append(f)
            if len(calls) < self.call:
                return real_save(obj, f, *args, **kwargs)
            buffer = io.BytesIO()
            real_save(obj, buffer, *args, **kwargs)
            f.write(buffer.getvalue()[: len(buffer.getvalue()) // 2])
            f.flush()
            os._exit(9)

        torch.save = save


def main():
    parser = nemo.utils.NemoArgParser(description="toy training for the distributed and resume tests")
    parser.add_argument("--out", required=True)
    parser.add_argument("--num_samples", type=int, default=64)
    parser.add_argument("--eval_samples", type=int, default=0)
    parser.add_argument("--dropout", type=float, default=0.0)
    parser.add_argument("--shuffle", action="store_true")
    parser.add_argument("--total_steps", type=int, default=None, help="CosineAnnealing over this many steps")
    parser.add_argument("--fail_rank", type=int, default=None)
    parser.add_argument("--fail_step", type=int, default=2)
    parser.add_argument("--crash_step", type=int, default=None)
    parser.add_argument("--crash_call", type=int, default=1)
    parser.add_argument("--poison_index", type=int, default=None, help="make this training sample's x NaN")
    parser.add_argument("--grad_norm_clip", type=float, default=None)
    parser.add_argument("--amp_dtype", choices=["float16", "bfloat16"], default=None)
    args = parser.parse_args()

    nf = nemo.core.NeuralModuleFactory(
        local_rank=args.local_rank, placement=nemo.core.DeviceType.CPU, random_seed=args.random_seed,
        optimization_level=args.amp_opt_level, log_dir=args.work_dir, checkpoint_dir=args.checkpoint_dir,
        create_tb_writer=args.create_tb_writer,
    )
    writes = []
    real_save_state = checkpoint.save_state

    def counting_save_state(state, path):
        writes.append(os.path.basename(path))
        real_save_state(state, path)

    checkpoint.save_state = counting_save_state

    dl = RealFunctionDataLayer(n=args.num_samples, batch_size=args.batch_size, shuffle=args.shuffle)
    if args.poison_index is not None:
        dl.dataset.tensors[0][args.poison_index] = float("nan")
    model = MLP(dropout=args.dropout)
    mse = MSELoss()
    x, y = dl()
    loss = mse(predictions=model(x=x), target=y)

    callbacks = []
    seen = {}
    if args.eval_samples:
        dl_eval = RealFunctionDataLayer(n=args.eval_samples, batch_size=2, x_lo=0, x_hi=1)
        x_e, y_e = dl_eval()
        loss_e = mse(predictions=model(x=x_e), target=y_e)

        def collect(tensors, global_vars):
            global_vars.setdefault("x", []).extend(tensors[x_e.unique_name][0].flatten().tolist())

        def done(global_vars):
            seen["eval_x"] = sorted(global_vars["x"])
            return {"eval_samples": len(global_vars["x"])}

        callbacks.append(nemo.core.EvaluatorCallback([x_e, loss_e], collect, done, eval_step=args.eval_freq))
        seen["dataset_x"] = sorted(dl_eval.dataset.tensors[0].flatten().tolist())
    if args.fail_rank is not None:
        callbacks.append(FailAt(args.fail_rank, args.fail_step))
    if args.crash_step is not None:
        callbacks.append(CrashInSave(args.crash_step, args.crash_call))
    if args.checkpoint_dir:
        callbacks.append(nemo.core.CheckpointCallback(
            folder=args.checkpoint_dir, load_from_folder=args.load_dir, step_freq=args.checkpoint_save_freq,
        ))
    if args.create_tb_writer:
        callbacks.append(nemo.core.SimpleLossLoggerCallback([loss], step_freq=1))
    lr_policy = None
    if args.total_steps:
        lr_policy = nemo.utils.get_lr_policy("CosineAnnealing", total_steps=args.total_steps, warmup_steps=2)

    params = {"max_steps": args.max_steps, "num_epochs": args.num_epochs, "lr": args.lr}
    if args.grad_norm_clip:
        params["grad_norm_clip"] = args.grad_norm_clip
    nf.train([loss], callbacks=callbacks, optimizer=args.optimizer, lr_policy=lr_policy,
             batches_per_step=args.iter_per_step, optimization_params=params,
             amp_dtype=getattr(torch, args.amp_dtype) if args.amp_dtype else None, amp_max_loss_scale=2.0**8)

    os.makedirs(args.out, exist_ok=True)
    result = dict(
        seen,
        weights=torch.cat([p.detach().flatten() for p in model.parameters()]),
        step=nf.get_trainer().step,
        skipped_steps=nf.get_trainer().precision.skipped_steps,
        writes=writes,
        tb_writer=nf.tb_writer is not None,
        argv=sys.argv[1:],
        local_rank=args.local_rank,
        world_size=nf.world_size,
    )
    torch.save(result, os.path.join(args.out, f"rank{nf.global_rank}.pt"))


if __name__ == "__main__":
    main()
