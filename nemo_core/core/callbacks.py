"""Callbacks: code that runs at points of an action and reads tensor values.

A callback lists the train-DAG tensors it reads in ``tensors``; the runner
computes them in the same forward pass on the steps where ``wants_values``
says so and exposes them as ``registered_tensors`` (keyed by unique name).
0.11-style callbacks (``state`` hooks, ``@on_step_end`` functions, the
loggers of :mod:`step_callbacks`) run through :class:`StepCallbackAdapter`.
"""

import logging
import time

from .nm_tensor import NmTensor
from .step_callbacks import (  # noqa: F401  (the 0.11 names live in nemo.core.callbacks)
    HOOKS,
    NeMoCallback,
    SimpleLogger,
    TensorboardLogger,
    TensorLookup,
    WandBLogger,
    on_action_end,
    on_action_start,
    on_batch_end,
    on_batch_start,
    on_epoch_end,
    on_epoch_start,
    on_step_end,
    on_step_start,
    tensor_names,
)

__all__ = [
    "ActionCallback", "SimpleLossLoggerCallback", "EvaluatorCallback", "CheckpointCallback", "StepCallbackAdapter",
    "as_action_callback", "NeMoCallback", "SimpleLogger", "TensorboardLogger", "WandBLogger", "on_action_start",
    "on_epoch_start", "on_step_start", "on_batch_start", "on_batch_end", "on_step_end", "on_epoch_end",
    "on_action_end",
]


def _scalar(value):
    return value.item() if hasattr(value, "item") else float(value)


class ActionCallback:
    """Base callback; override any of the ``on_*`` hooks."""

    tensors = ()

    def __init__(self, tb_writer=None):
        self.action = None
        self._tb_writer = tb_writer

    step = property(lambda self: self.action.step)
    epoch_num = property(lambda self: self.action.epoch_num)
    local_rank = property(lambda self: self.action.local_rank)
    global_rank = property(lambda self: self.action.global_rank)
    registered_tensors = property(lambda self: self.action.registered_tensors)

    @property
    def tb_writer(self):
        """The writer given to the callback, else the factory's (None on ranks > 0)."""
        if self.action is not None and self.action.global_rank != 0:
            return None
        return self._tb_writer or (self.action.tb_writer if self.action is not None else None)

    @property
    def logger(self):
        return self.action.logger

    def wants_values(self, step):
        """Whether the runner must compute ``tensors`` for ``step``."""
        return bool(self.tensors)

    def on_action_start(self):
        pass

    def on_action_end(self):
        pass

    def on_epoch_start(self):
        pass

    def on_epoch_end(self):
        pass

    def on_iteration_start(self):
        pass

    def on_iteration_end(self):
        pass

    def on_batch_start(self):
        pass

    def on_batch_end(self):
        pass

    @property
    def has_batch_hooks(self):
        """Whether the runner must call the per-batch hooks (only when overridden)."""
        cls = type(self)
        return cls.on_batch_start is not ActionCallback.on_batch_start or \
            cls.on_batch_end is not ActionCallback.on_batch_end


def as_action_callback(callback):
    """The runner's view of any callback: ActionCallbacks as they are, 0.11-style ones adapted."""
    if isinstance(callback, ActionCallback):
        return callback
    if isinstance(callback, NeMoCallback) or any(hasattr(callback, hook) for hook in HOOKS):
        return StepCallbackAdapter(callback)
    raise TypeError(f"not a callback: {callback!r} (an ActionCallback, a NeMoCallback or an @on_step_end function)")


def _overrides(callback, hook):
    """Whether ``callback`` has its own ``hook`` (not NeMoCallback's empty one)."""
    if hook in vars(callback):
        return True
    method = getattr(type(callback), hook, None)
    return method is not None and method is not getattr(NeMoCallback, hook, None)


class StepCallbackAdapter(ActionCallback):
    """Runs a 0.11-style callback (hooks taking ``state``) inside the runner."""

    def __init__(self, callback):
        super().__init__()
        self.callback = callback
        self._names = {}
        wanted = getattr(callback, "tensors_to_log", ()) or ()
        self.tensors = [t for t in wanted if isinstance(t, NmTensor)]
        self._wanted_names = [t for t in wanted if not isinstance(t, NmTensor)]
        self._hooks = {hook for hook in HOOKS if _overrides(callback, hook)}

    def wants_values(self, step):
        wants = getattr(self.callback, "wants_values", None)
        return bool(self.tensors) and (wants(step) if wants else True)

    @property
    def has_batch_hooks(self):
        return bool(self._hooks & {"on_batch_start", "on_batch_end"})

    def _state(self):
        action = self.action
        return {
            "step": action.step,
            "epoch": action.epoch_num,
            "tensors": TensorLookup(action.registered_tensors, self._names),
            "optimizers": list(getattr(action, "optimizers", []) or [action.optimizer]),
            "local_rank": action.local_rank,
            "global_rank": action.global_rank,
            "logger": action.logger or logging.getLogger("nemo"),
            "tb_writer": self.tb_writer,
        }

    def _run(self, hook):
        if hook in self._hooks:
            getattr(self.callback, hook)(self._state())

    def on_action_start(self):
        self._names = tensor_names(getattr(self.action, "dag_tensors", []))
        unknown = [name for name in self._wanted_names if name not in self._names]
        if unknown:
            raise KeyError(f"{type(self.callback).__name__}: tensors_to_log {unknown} are not in the train DAG; "
                           f"names there: {sorted(n for n in self._names if '~~~' not in n)} (or unique names; "
                           "name a tensor with tensor.rename('name'))")
        self._run("on_action_start")

    def on_epoch_start(self):
        self._run("on_epoch_start")

    def on_iteration_start(self):
        self._run("on_step_start")

    def on_batch_start(self):
        self._run("on_batch_start")

    def on_batch_end(self):
        self._run("on_batch_end")

    def on_iteration_end(self):
        self._run("on_step_end")

    def on_epoch_end(self):
        self._run("on_epoch_end")

    def on_action_end(self):
        self._run("on_action_end")


class SimpleLossLoggerCallback(ActionCallback):
    """Every ``step_freq`` steps (and at the first), hand the values of ``tensors`` to
    ``print_func`` and log them to TensorBoard (``get_tb_values`` → ``[[name, value]]``,
    or ``log_to_tb_func(writer, values, step)``; default: the first tensor as ``loss``)."""

    def __init__(self, tensors, print_func=None, get_tb_values=None, log_to_tb_func=None, step_freq=25, tb_writer=None):
        super().__init__(tb_writer)
        self.tensors = [tensors] if isinstance(tensors, NmTensor) else list(tensors)
        self._print_func = print_func
        self._get_tb_values = get_tb_values
        self._log_to_tb_func = log_to_tb_func
        self._step_freq = max(1, int(step_freq))
        self._last_time = None

    def wants_values(self, step):
        return step == 1 or step % self._step_freq == 0

    def on_action_start(self):
        self._last_time = time.perf_counter()

    def on_iteration_end(self):
        step = self.step
        if not self.wants_values(step) or self.global_rank != 0:
            return
        values = [self.registered_tensors[t.unique_name] for t in self.tensors]
        now = time.perf_counter()
        elapsed, self._last_time = now - self._last_time, now
        self.logger.info(f"Step: {step}; loss: {_scalar(values[0]):.4f}; {elapsed:.3f} s since last log")
        if self._print_func:
            self._print_func(values)
        writer = self.tb_writer
        if writer is None:
            return
        optimizer = getattr(self.action, "optimizer", None)
        if optimizer is not None:
            writer.add_scalar("param/lr", optimizer.param_groups[0]["lr"], step)
        writer.add_scalar("misc/step_time", elapsed / (self._step_freq if step > 1 else 1), step)
        if self._get_tb_values:
            for name, value in self._get_tb_values(values):
                writer.add_scalar(name, _scalar(value), step)
        elif self._log_to_tb_func:
            self._log_to_tb_func(writer, values, step)
        else:
            writer.add_scalar("loss", _scalar(values[0]), step)


class EvaluatorCallback(ActionCallback):
    """Evaluate ``eval_tensors`` over their data layer every ``eval_step`` steps and/or
    ``eval_epoch`` epochs, and once more when training ends.

    ``user_iter_callback(tensors, global_vars)`` gets, per batch, ``{unique_name:
    [value]}`` (batches of every rank, each sample once); the dict returned by
    ``user_epochs_done_callback(global_vars)`` is logged and written to
    TensorBoard (or handed to ``tb_writer_func(tb_writer, results, step)``), and
    to Weights & Biases when ``wandb_name`` or ``wandb_project`` is given. Both
    run on every rank; only rank 0 writes. ``eval_at_start`` evaluates before
    the first step too.
    """

    def __init__(self, eval_tensors, user_iter_callback, user_epochs_done_callback, tb_writer=None,
                 eval_step=1, eval_epoch=None, tb_writer_func=None, eval_at_start=False, wandb_name=None,
                 wandb_project=None):
        super().__init__(tb_writer)
        self.eval_tensors = list(eval_tensors)
        self.user_iter_callback = user_iter_callback
        self.user_epochs_done_callback = user_epochs_done_callback
        self._eval_step = eval_step
        self._eval_epoch = eval_epoch
        self._tb_writer_func = tb_writer_func
        self._eval_at_start = eval_at_start
        self._wandb = None
        if wandb_name is not None or wandb_project is not None:
            try:
                import wandb
            except ImportError as error:
                raise ImportError("EvaluatorCallback(wandb_name=..., wandb_project=...) needs the 'wandb' package: "
                                  "pip install wandb") from error
            self._wandb, self._wandb_args = wandb, {"name": wandb_name, "project": wandb_project}
        self._last_eval_step = None
        self.results = None

    def on_action_start(self):
        self._last_eval_step = None
        if self._wandb is not None and self.global_rank == 0 and self._wandb.run is None:
            self._wandb.init(**self._wandb_args)
        if self._eval_at_start:
            self.evaluate()

    def on_iteration_end(self):
        if self._eval_step and self.step % self._eval_step == 0:
            self.evaluate()

    def on_epoch_end(self):
        if self._eval_epoch and (self.epoch_num + 1) % self._eval_epoch == 0 and self._last_eval_step != self.step:
            self.evaluate()

    def on_action_end(self):
        if self._last_eval_step != self.step:
            self.evaluate()

    def evaluate(self):
        """Run the evaluation now; returns the dict of ``user_epochs_done_callback``."""
        started = time.perf_counter()
        global_vars = {}
        for batch in self.action.evaluate(self.eval_tensors):
            self.user_iter_callback({name: [value] for name, value in batch.items()}, global_vars)
        results = self.user_epochs_done_callback(global_vars) or {}
        self._last_eval_step = self.step
        self.results = results
        if self.global_rank == 0 and self.action.logger:
            shown = ", ".join(f"{k}: {_scalar(v):.4f}" for k, v in results.items() if _is_number(v))
            self.action.logger.info(f"Evaluation at step {self.step} took {time.perf_counter() - started:.1f} s; {shown}")
        numbers = {name: _scalar(value) for name, value in results.items() if _is_number(value)}
        writer = self.tb_writer
        if writer is not None and self._tb_writer_func is not None:
            self._tb_writer_func(writer, results, self.step)
        elif writer is not None:
            for name, value in numbers.items():
                writer.add_scalar(name, value, self.step)
        if self._wandb is not None and self.global_rank == 0:
            self._wandb.log(numbers, step=self.step)
        return results


def _is_number(value):
    try:
        _scalar(value)
    except (TypeError, ValueError, RuntimeError):
        return False
    return True


class CheckpointCallback(ActionCallback):
    """Save trained modules and trainer state every ``step_freq`` steps / ``epoch_freq``
    epochs and at the end. Before training it resumes from the newest set in
    ``load_from_folder`` (default: ``folder``, as legacy NeMo did); a folder with
    module files only gives their weights and training starts at step 0. With
    both frequencies <= 0 it only restores (a warning says so)."""

    def __init__(self, folder, load_from_folder=None, step_freq=-1, epoch_freq=-1, checkpoints_to_keep=4,
                 force_load=False):
        super().__init__()
        self._saves = step_freq > 0 or epoch_freq > 0
        if not self._saves:
            logging.getLogger("nemo").warning(
                "CheckpointCallback: step_freq and epoch_freq are both <= 0; no checkpoints will be saved")
        self.folder = folder
        self.load_from_folder = load_from_folder
        self.step_freq = step_freq
        self.epoch_freq = epoch_freq
        self.checkpoints_to_keep = checkpoints_to_keep
        self.force_load = force_load
        self._last_saved = None

    def _folder(self):
        return self.folder if self.folder is not None else self.action.checkpoint_dir

    def on_action_start(self):
        self._last_saved = None
        source = self.load_from_folder or self._folder()
        if source:
            explicit = bool(self.load_from_folder)
            self._last_saved = self.action.restore_checkpoint(source, self.force_load, explicit)

    def _save(self):
        if self._saves and self._last_saved != self.step:
            self.action.save_checkpoint(self._folder(), self.checkpoints_to_keep)
            self._last_saved = self.step

    def on_iteration_end(self):
        if self.step_freq > 0 and self.step % self.step_freq == 0:
            self._save()

    def on_epoch_end(self):
        if self.epoch_freq > 0 and (self.epoch_num + 1) % self.epoch_freq == 0:
            self._save()

    def on_action_end(self):
        self._save()
