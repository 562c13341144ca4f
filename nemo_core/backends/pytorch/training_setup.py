"""What one ``train`` call sets up: checked optimization parameters, optimizer groups, the loop record."""

from ...utils.arg_checks import check_int, check_number
from .optimizers import RUNNER_KEYS

__all__ = ["OptimizerGroup", "TrainLoop", "no_batch_message", "training_params"]

def training_params(optimization_params, batches_per_step):
    """Check the runner's keys of ``optimization_params``; the rest goes to the optimizer."""
    given = dict(optimization_params or {})
    where = "optimization_params['{}']".format
    params = {
        "num_epochs": check_int(given.get("num_epochs"), where("num_epochs"), minimum=1, optional=True),
        "max_steps": check_int(given.get("max_steps"), where("max_steps"), minimum=1, optional=True),
        "lr": check_number(given.get("lr", 1e-3), where("lr"), minimum=0),
        "grad_norm_clip": check_number(given.get("grad_norm_clip"), where("grad_norm_clip"), positive=True,
                                       optional=True),
        "batches_per_step": check_int(given.get("batches_per_step", batches_per_step) or 1, "batches_per_step",
                                      minimum=1),
        "optimizer_params": {k: v for k, v in given.items() if k not in RUNNER_KEYS},
    }
    if params["num_epochs"] is None and params["max_steps"] is None:
        raise ValueError("optimization_params needs 'num_epochs' or 'max_steps'")
    return params


def no_batch_message(data_layer, world_size):
    """Why ``data_layer`` gives a training epoch without a single batch."""
    dataset = data_layer.dataset
    size = len(dataset) if dataset is not None and hasattr(dataset, "__len__") else "unknown"
    return (
        f"data layer {data_layer.name} yields no batch in an epoch: its dataset has {size} sample(s), "
        f"batch_size={data_layer.batch_size}, drop_last={data_layer.drop_last}, {world_size} rank(s). "
        "Check the data (filters such as min/max_duration may have removed every entry), "
        "or lower batch_size / set drop_last=False"
    )


class OptimizerGroup:
    """An optimizer, the unique names of the losses it steps on, and the executor computing them."""

    __slots__ = ("optimizer", "loss_keys", "executor", "initial_lrs")

    def __init__(self, optimizer, loss_keys, executor):
        self.optimizer = optimizer
        self.loss_keys = loss_keys
        self.executor = executor
        self.initial_lrs = [group["lr"] for group in optimizer.param_groups]


class TrainLoop:
    """What every batch of one ``train`` call needs: callbacks by kind, the full-DAG executor,
    accumulation, the autocast context (None without), the profiler (None when off), the step limit."""

    __slots__ = ("callbacks", "value_callbacks", "batch_callbacks", "full_executor", "batches_per_step", "autocast",
                 "profiler", "max_steps", "progress")

    def __init__(self, callbacks, full_executor, batches_per_step, autocast, profiler, max_steps):
        self.callbacks = callbacks
        self.value_callbacks = [cb for cb in callbacks if cb.tensors]
        self.batch_callbacks = [cb for cb in callbacks if cb.has_batch_hooks]
        self.full_executor = full_executor
        self.batches_per_step = batches_per_step
        self.autocast = autocast
        self.profiler = profiler
        self.max_steps = max_steps
        self.progress = None  # one tqdm bar for the whole action, reset each epoch
