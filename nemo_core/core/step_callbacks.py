"""0.11-style callbacks: hooks taking a ``state`` dict, function callbacks, loggers.

A callback class overrides any of ``on_action_start``, ``on_epoch_start``,
``on_step_start``, ``on_batch_start``, ``on_batch_end``, ``on_step_end``,
``on_epoch_end``, ``on_action_end`` (each takes ``state``). ``state["step"]``,
``state["epoch"]``, ``state["optimizers"]``, ``state["tensors"].get_tensor(x)``
(``x`` an NmTensor, its ``rename``d name, unique name or port name). Tensors a
callback names in ``tensors_to_log`` are computed on the steps where
``step % step_freq == 0``. A function decorated with ``@on_step_end`` (etc.) is
a callback too. Old (``ActionCallback``) and new callbacks mix in one ``train``.
"""

import time

from .nm_tensor import NmTensor

__all__ = [
    "NeMoCallback", "SimpleLogger", "TensorboardLogger", "WandBLogger", "TensorLookup",
    "on_action_start", "on_epoch_start", "on_step_start", "on_batch_start", "on_batch_end", "on_step_end",
    "on_epoch_end", "on_action_end", "HOOKS",
]

HOOKS = ("on_action_start", "on_epoch_start", "on_step_start", "on_batch_start", "on_batch_end", "on_step_end",
         "on_epoch_end", "on_action_end")


class TensorLookup:
    """``state["tensors"]``: values of this step's computed tensors by NmTensor or name."""

    def __init__(self, values, names):
        self._values = values
        self._names = names

    def get_tensor(self, name_or_tensor):
        if isinstance(name_or_tensor, NmTensor):
            key = name_or_tensor.unique_name
        else:
            key = self._names.get(name_or_tensor, name_or_tensor)
        if key not in self._values:
            raise KeyError(f"tensor {name_or_tensor!r} was not computed in this step; ask for it in the "
                           f"callback's tensors_to_log (computed now: {sorted(self._values)})")
        return self._values[key]


def tensor_names(tensors):
    """Name → unique name for the tensors of a DAG: ``rename``d names, unique names, and port
    names that only one tensor has."""
    names, ports = {}, {}
    for tensor in tensors:
        names[tensor.unique_name] = tensor.unique_name
        ports.setdefault(tensor.name, []).append(tensor.unique_name)
    for port, uniques in ports.items():
        if len(uniques) == 1:
            names.setdefault(port, uniques[0])
    for tensor in tensors:
        if tensor.alias:
            names[tensor.alias] = tensor.unique_name
    return names


class NeMoCallback:
    """Base of 0.11-style callbacks. ``step_freq`` and ``tensors_to_log`` say which tensors to
    compute on which steps (none by default)."""

    step_freq = 1
    tensors_to_log = ()

    def wants_values(self, step):
        return bool(self.tensors_to_log) and step % max(1, self.step_freq) == 0

    def on_action_start(self, state):
        pass

    def on_epoch_start(self, state):
        pass

    def on_step_start(self, state):
        pass

    def on_batch_start(self, state):
        pass

    def on_batch_end(self, state):
        pass

    def on_step_end(self, state):
        pass

    def on_epoch_end(self, state):
        pass

    def on_action_end(self, state):
        pass


class _FunctionCallback(NeMoCallback):
    """A plain function run at one hook."""

    def __init__(self, hook, function):
        self.function = function
        self.__name__ = getattr(function, "__name__", hook)
        setattr(self, hook, function)

    def __call__(self, state):
        return self.function(state)


def _decorator(hook):
    def decorate(function):
        return _FunctionCallback(hook, function)

    decorate.__name__ = hook
    decorate.__doc__ = f"Make ``function(state)`` a callback run at ``{hook}``."
    return decorate


on_action_start = _decorator("on_action_start")
on_epoch_start = _decorator("on_epoch_start")
on_step_start = _decorator("on_step_start")
on_batch_start = _decorator("on_batch_start")
on_batch_end = _decorator("on_batch_end")
on_step_end = _decorator("on_step_end")
on_epoch_end = _decorator("on_epoch_end")
on_action_end = _decorator("on_action_end")


def _scalar(value):
    return value.item() if hasattr(value, "item") else float(value)


class SimpleLogger(NeMoCallback):
    """Log the values of ``tensors_to_log`` every ``step_freq`` steps."""

    def __init__(self, step_freq=100, tensors_to_log=("loss",)):
        self.step_freq = step_freq
        self.tensors_to_log = list(tensors_to_log)

    def on_step_end(self, state):
        if state["step"] % self.step_freq == 0 and state["global_rank"] == 0:
            shown = "; ".join(f"{name}: {_scalar(state['tensors'].get_tensor(name)):.4f}"
                              for name in self.tensors_to_log)
            state["logger"].info(f"Step: {state['step']}; {shown}")


class TensorboardLogger(NeMoCallback):
    """Write ``tensors_to_log``, the learning rate and epoch times to TensorBoard.

    ``custom_tb_log_func(tb_writer, state)`` replaces the default scalar logging when given.
    """

    def __init__(self, tb_writer, step_freq=100, tensors_to_log=("loss",), custom_tb_log_func=None, log_epoch=True,
                 log_lr=True):
        self.tb_writer = tb_writer
        self.step_freq = step_freq
        self.tensors_to_log = list(tensors_to_log)
        self.custom_tb_log_func = custom_tb_log_func
        self.log_epoch = log_epoch
        self.log_lr = log_lr
        self._epoch_started = None

    def on_epoch_start(self, state):
        self._epoch_started = time.perf_counter()

    def on_step_end(self, state):
        if state["step"] % self.step_freq != 0 or state["global_rank"] != 0 or self.tb_writer is None:
            return
        if self.custom_tb_log_func is not None:
            self.custom_tb_log_func(self.tb_writer, state)
        else:
            for name in self.tensors_to_log:
                self.tb_writer.add_scalar(name, _scalar(state["tensors"].get_tensor(name)), state["step"])
        if self.log_lr and state["optimizers"]:
            self.tb_writer.add_scalar("param/lr", state["optimizers"][0].param_groups[0]["lr"], state["step"])

    def on_epoch_end(self, state):
        if self.log_epoch and self.tb_writer is not None and state["global_rank"] == 0 and self._epoch_started:
            self.tb_writer.add_scalar("misc/epoch_time", time.perf_counter() - self._epoch_started, state["step"])


class WandBLogger(NeMoCallback):
    """Log ``tensors_to_log`` (and lr, epoch time) to Weights & Biases; needs the ``wandb`` package."""

    def __init__(self, step_freq=100, tensors_to_log=("loss",), wandb_name=None, wandb_project=None, args=None,
                 log_epoch=True, log_lr=True):
        try:
            import wandb
        except ImportError as error:
            raise ImportError("WandBLogger needs the 'wandb' package: pip install wandb") from error
        self._wandb = wandb
        self.step_freq = step_freq
        self.tensors_to_log = list(tensors_to_log)
        self.wandb_name, self.wandb_project, self.args = wandb_name, wandb_project, args
        self.log_epoch, self.log_lr = log_epoch, log_lr
        self._epoch_started = None

    def on_action_start(self, state):
        if state["global_rank"] == 0 and self._wandb.run is None:
            self._wandb.init(name=self.wandb_name, project=self.wandb_project, config=vars(self.args or object()))

    def on_epoch_start(self, state):
        self._epoch_started = time.perf_counter()

    def on_step_end(self, state):
        if state["step"] % self.step_freq != 0 or state["global_rank"] != 0:
            return
        values = {name: _scalar(state["tensors"].get_tensor(name)) for name in self.tensors_to_log}
        if self.log_lr and state["optimizers"]:
            values["param/lr"] = state["optimizers"][0].param_groups[0]["lr"]
        self._wandb.log(values, step=state["step"])

    def on_epoch_end(self, state):
        if self.log_epoch and state["global_rank"] == 0 and self._epoch_started:
            self._wandb.log({"misc/epoch_time": time.perf_counter() - self._epoch_started}, step=state["step"])
