"""NeuralModuleFactory: the user's handle on backend, placement, precision and actions."""

import os
import shutil
import time
from enum import Enum

__all__ = ["Backend", "DeviceType", "Optimization", "DeploymentFormat", "NeuralModuleFactory"]


class Backend(Enum):
    PyTorch = 1
    NotSupported = 2


class DeviceType(Enum):
    GPU = 1
    CPU = 2
    AllGpu = 3


class Optimization(Enum):
    """Mixed-precision levels (apex names): fp32, autocast, half weights, pure half."""

    mxprO0 = "O0"
    mxprO1 = "O1"
    mxprO2 = "O2"
    mxprO3 = "O3"


class DeploymentFormat(Enum):
    AUTO = 0
    PYTORCH = 1
    TORCHSCRIPT = 2
    ONNX = 3


def _graph_losses(graph):
    """The loss output(s) of a training graph: outputs of LossType, else those named ``loss``."""
    from .neural_types import LossType

    outputs = graph.output_tensors
    losses = [t for t in outputs.values() if isinstance(t.ntype.elements_type, LossType)]
    losses = losses or [t for name, t in outputs.items() if name == "loss"]
    if not losses:
        raise ValueError(f"training_graph {graph.name} has no loss output; its outputs are {list(outputs)} "
                         "(bind one with graph.outputs['loss'] = loss)")
    return losses


def _optim_level(value):
    if isinstance(value, Optimization):
        return value.value
    text = str(value or "O0").upper()
    text = text.replace("MXPR", "")
    if text not in ("O0", "O1", "O2", "O3"):
        raise ValueError(f"optimization_level must be an Optimization or one of 'O0'..'O3', got {value!r}")
    return text


class NeuralModuleFactory:
    """Creates the runtime (device, process group, logs) and runs actions on DAGs.

    ``nf.train``, ``nf.eval``, ``nf.infer`` and ``nf.deployment_export`` delegate
    to the PyTorch action runner; ``nf.logger`` and ``nf.tb_writer`` are for the
    user's own logging.
    """

    _default = None

    def __init__(self, backend=Backend.PyTorch, local_rank=None, optimization_level=Optimization.mxprO0,
                 placement=None, cudnn_benchmark=False, random_seed=None, set_default=True, log_dir=None,
                 checkpoint_dir=None, tensorboard_dir=None, create_tb_writer=False, files_to_copy=None,
                 add_time_to_log_dir=False, amp_dtype=None):
        import torch

        from ..backends.pytorch.actions import PtActions
        from ..backends.pytorch.distributed import DistributedContext
        from ..backends.pytorch.rng import seed_everything
        from ..utils.exp_logging import get_logger

        if backend != Backend.PyTorch:
            raise ValueError(f"backend {backend} is not supported; use nemo.core.Backend.PyTorch")
        if placement is None:
            placement = DeviceType.GPU if torch.cuda.is_available() else DeviceType.CPU
        fell_back = placement != DeviceType.CPU and not torch.cuda.is_available()
        if fell_back:
            placement = DeviceType.CPU
        self._placement = placement
        self._optim_level = _optim_level(optimization_level)
        self._dist = DistributedContext(local_rank, use_gpu=placement != DeviceType.CPU)
        if placement == DeviceType.CPU:
            self._device = torch.device("cpu")
        else:
            self._device = torch.device("cuda", self._dist.local_rank or 0)
            torch.backends.cudnn.benchmark = cudnn_benchmark
        if add_time_to_log_dir and log_dir:
            log_dir = os.path.join(log_dir, time.strftime("%Y%m%d-%H%M%S"))
        self._log_dir = log_dir
        self._logger = get_logger(log_dir, self._dist.global_rank)
        if fell_back:
            self._logger.warning("placement asks for a GPU but CUDA is not available; running on the CPU")
        self._checkpoint_dir = checkpoint_dir or (os.path.join(log_dir, "checkpoints") if log_dir else "checkpoints")
        self._tb_writer = None
        if create_tb_writer and self._dist.is_main:
            from tensorboardX import SummaryWriter

            self._tb_writer = SummaryWriter(tensorboard_dir or os.path.join(log_dir or ".", "tensorboard"))
        if files_to_copy and log_dir and self._dist.is_main:
            os.makedirs(log_dir, exist_ok=True)
            for path in files_to_copy:
                shutil.copy(path, log_dir)
        self._random_seed = random_seed
        if random_seed is not None:
            seed_everything(random_seed)
        else:
            self._logger.info(f"random_seed not given: the factory seeds nothing (torch's seed is "
                              f"{torch.initial_seed()}); pass random_seed to make runs repeatable")
        self._trainer = PtActions(self._dist, self._device, self._optim_level, self._tb_writer, self._logger,
                                  data_seed=random_seed or 0, amp_dtype=amp_dtype)
        self._trainer.checkpoint_dir = self._checkpoint_dir
        if set_default:
            NeuralModuleFactory._default = self

    @classmethod
    def get_default_factory(cls):
        return cls._default

    # ------------------------------------------------------------------ facts
    logger = property(lambda self: self._logger)
    tb_writer = property(lambda self: self._tb_writer)
    checkpoint_dir = property(lambda self: self._checkpoint_dir)
    work_dir = property(lambda self: self._log_dir)
    world_size = property(lambda self: self._dist.world_size)
    global_rank = property(lambda self: self._dist.global_rank)
    local_rank = property(lambda self: self._dist.local_rank)
    placement = property(lambda self: self._placement)
    device = property(lambda self: self._device)
    optim_level = property(lambda self: self._optim_level)
    random_seed = property(lambda self: self._random_seed)

    # ------------------------------------------------------------------ actions
    def train(self, tensors_to_optimize=None, optimizer=None, optimization_params=None, callbacks=None,
              lr_policy=None, batches_per_step=None, stop_on_nan_loss=False, synced_batchnorm=False,
              synced_batchnorm_groupsize=0, gradient_predivide=False, amp_max_loss_scale=2.0**24,
              amp_min_loss_scale=None, reset=False, amp_dtype=None, use_apex=None, check_nonfinite=True,
              profile=None, training_graph=None):
        """Train the DAG of ``tensors_to_optimize``, or the loss output(s) of ``training_graph``
        (see ``PtActions.train``)."""
        if training_graph is not None:
            if tensors_to_optimize is not None:
                raise ValueError("give tensors_to_optimize or training_graph, not both")
            tensors_to_optimize = _graph_losses(training_graph)
        if tensors_to_optimize is None and not isinstance(optimizer, (list, tuple)):
            raise ValueError("nf.train needs tensors_to_optimize, a training_graph, or a list of "
                             "(optimizer, [losses]) pairs as optimizer")
        if reset:
            self.reset_trainer()
        return self._trainer.train(
            tensors_to_optimize=tensors_to_optimize, optimizer=optimizer, optimization_params=optimization_params,
            callbacks=callbacks, lr_policy=lr_policy, batches_per_step=batches_per_step,
            stop_on_nan_loss=stop_on_nan_loss, synced_batchnorm=synced_batchnorm,
            synced_batchnorm_groupsize=synced_batchnorm_groupsize, gradient_predivide=gradient_predivide,
            amp_max_loss_scale=amp_max_loss_scale, amp_min_loss_scale=amp_min_loss_scale, amp_dtype=amp_dtype,
            use_apex=use_apex, check_nonfinite=check_nonfinite, profile=profile, profile_dir=self._log_dir,
        )

    def eval(self, callbacks):
        """Run each EvaluatorCallback's evaluation once."""
        from .callbacks import EvaluatorCallback

        results = []
        for callback in callbacks:
            if not isinstance(callback, EvaluatorCallback):
                raise TypeError(f"nf.eval takes EvaluatorCallbacks, got {type(callback).__name__}")
            callback.action = self._trainer
            results.append(callback.evaluate())
        return results

    def infer(self, tensors, checkpoint_dir=None, ckpt_pattern="", verbose=True, cache=False, use_cache=False,
              offload_to_cpu=True, modules_to_restore=None):
        """Per tensor, the list of its per-batch values over the data layer."""
        return self._trainer.infer(tensors, checkpoint_dir, ckpt_pattern, verbose, cache, use_cache,
                                   offload_to_cpu, modules_to_restore)

    def deployment_export(self, module, output, d_format=DeploymentFormat.AUTO, input_example=None,
                          output_example=None):
        """Export ``module`` to TorchScript/ONNX/PyTorch and verify the file by running it."""
        from ..backends.pytorch.export import deployment_export

        return deployment_export(module, output, d_format, input_example, output_example, self._logger)

    def get_module(self, name, params, collection, pretrained=False):
        """Legacy module lookup: ``nf.get_module("JasperEncoder", {...}, "nemo_asr")``."""
        import importlib

        if pretrained:
            raise ValueError(f"get_module({name!r}, pretrained=True): downloads are not available; build the module "
                             "and load local weights with module.restore_from(path)")
        package = importlib.import_module(collection if collection != "toys" else "nemo.backends.pytorch.tutorials")
        module_cls = getattr(package, name, None)
        if module_cls is None:
            raise ValueError(f"collection {collection!r} has no module named {name!r}")
        return module_cls(**(params or {}))

    def clear_cache(self):
        """Forget the batches kept by ``infer(cache=True)``."""
        self._trainer.clear_cache()

    def create_optimizer(self, optimizer, things_to_optimize, optimizer_params=None):
        return self._trainer.create_optimizer(optimizer, things_to_optimize, optimizer_params)

    def get_trainer(self):
        return self._trainer

    def reset_trainer(self):
        self._trainer.reset()

    def sync_all_processes(self, status=True):
        """Barrier across ranks; returns whether ``status`` is True on every rank."""
        return self._dist.all_true(status)
