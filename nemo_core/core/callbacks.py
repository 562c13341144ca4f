"""Callbacks: code that runs at points of an action and reads tensor values.

A callback lists the train-DAG tensors it reads in ``tensors``; the runner
computes them in the same forward pass on the steps where ``wants_values``
says so and exposes them as ``registered_tensors`` (keyed by unique name).
"""

import logging
import time

__all__ = ["ActionCallback", "SimpleLossLoggerCallback", "EvaluatorCallback", "CheckpointCallback"]


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


class SimpleLossLoggerCallback(ActionCallback):
    """Every ``step_freq`` steps (and at the first), hand the values of ``tensors`` to
    ``print_func`` and log them to TensorBoard (``get_tb_values`` → ``[[name, value]]``,
    or ``log_to_tb_func(writer, values, step)``; default: the first tensor as ``loss``)."""

    def __init__(self, tensors, print_func=None, get_tb_values=None, log_to_tb_func=None, step_freq=25, tb_writer=None):
        super().__init__(tb_writer)
        self.tensors = list(tensors)
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
        self.logger.info(f"Step: {step}; loss: {_scalar(values[0]):.4f}; {now - self._last_time:.3f} s since last log")
        self._last_time = now
        if self._print_func:
            self._print_func(values)
        writer = self.tb_writer
        if writer is None:
            return
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
    TensorBoard. Both run on every rank; only rank 0 writes.
    """

    def __init__(self, eval_tensors, user_iter_callback, user_epochs_done_callback, tb_writer=None,
                 eval_step=1, eval_epoch=None):
        super().__init__(tb_writer)
        self.eval_tensors = list(eval_tensors)
        self.user_iter_callback = user_iter_callback
        self.user_epochs_done_callback = user_epochs_done_callback
        self._eval_step = eval_step
        self._eval_epoch = eval_epoch
        self._last_eval_step = None
        self.results = None

    def on_action_start(self):
        self._last_eval_step = None

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
        writer = self.tb_writer
        if writer is not None:
            for name, value in results.items():
                if _is_number(value):
                    writer.add_scalar(name, _scalar(value), self.step)
        return results


def _is_number(value):
    try:
        _scalar(value)
    except (TypeError, ValueError, RuntimeError):
        return False
    return True


class CheckpointCallback(ActionCallback):
    """Save trained modules and trainer state every ``step_freq`` steps / ``epoch_freq``
    epochs and at the end; with ``load_from_folder``, resume from the newest set first.
    With both frequencies <= 0 it only restores (a warning says so)."""

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
        if self.load_from_folder:
            self._last_saved = self.action.restore_checkpoint(self.load_from_folder, self.force_load)

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
