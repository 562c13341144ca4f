"""More 0.10 callbacks: save chosen modules, unfreeze modules at an epoch, schedule a module attribute."""

import abc
import os
from dataclasses import dataclass

from .callbacks import ActionCallback

__all__ = ["ModuleSaverCallback", "UnfreezeCallback", "ValueSetterCallback"]


class ModuleSaverCallback(ActionCallback):
    """Every ``step_freq`` steps (and at the end) write ``<Class>-STEP-<n>.pt`` of each module in
    ``save_modules_list`` to ``folder`` (default: the factory's checkpoint folder), keeping the
    newest ``checkpoints_to_keep`` per module. Rank 0 only."""

    def __init__(self, save_modules_list, step_freq=1000, folder=None, checkpoints_to_keep=2):
        super().__init__()
        self.modules = list(save_modules_list)
        self.step_freq = step_freq
        self.folder = folder
        self.checkpoints_to_keep = checkpoints_to_keep
        self._last_saved = None

    def _save(self):
        from ..backends.pytorch import checkpoint
        from ..backends.pytorch.trainer_state import module_keys

        if self.global_rank != 0 or self._last_saved == self.step:
            return
        folder = self.folder or self.action.checkpoint_dir
        for module, key in module_keys(self.modules).items():
            module.save_to(checkpoint.module_file(folder, key, self.step))
            for old in checkpoint.saved_steps(folder, key)[:-self.checkpoints_to_keep]:
                os.remove(checkpoint.module_file(folder, key, old))
        self._last_saved = self.step

    def on_iteration_end(self):
        if self.step_freq > 0 and self.step % self.step_freq == 0:
            self._save()

    def on_action_end(self):
        self._save()


class UnfreezeCallback(ActionCallback):
    """Unfreeze ``modules`` when epoch ``start_epoch`` begins (fine-tune a frozen encoder later)."""

    def __init__(self, modules, start_epoch=0):
        super().__init__()
        self.modules = list(modules)
        self.start_epoch = start_epoch

    def on_epoch_start(self):
        if self.epoch_num == self.start_epoch:
            for module in self.modules:
                module.unfreeze()
            if self.action.logger:
                self.action.logger.info(f"Unfroze {[m.name for m in self.modules]} at epoch {self.epoch_num}")


class ValueSetterCallback(ActionCallback):
    """Set ``module.<arg_name>`` before every step from piecewise ``policies`` over the run.

    Each :class:`ValueSetterCallback.Policy` covers the fraction ``[start, end)`` of
    ``total_steps`` with a :class:`ValueSetterCallback.Method` (``Const(value)`` or
    ``Linear(start_value, end_value)``); the value is logged to TensorBoard as
    ``param/<arg_name>``.
    """

    class Method(abc.ABC):
        """How a value evolves over its policy's span (``fraction`` in [0, 1))."""

        @abc.abstractmethod
        def __call__(self, fraction):
            """The value at ``fraction`` of the span."""

    @dataclass
    class Const(Method):
        value: float

        def __call__(self, fraction):
            return self.value

    @dataclass
    class Linear(Method):
        start_value: float
        end_value: float

        def __call__(self, fraction):
            return self.start_value + (self.end_value - self.start_value) * fraction

    @dataclass
    class Policy:
        method: "ValueSetterCallback.Method"
        start: float = 0.0
        end: float = 1.0

    def __init__(self, module, arg_name, policies, total_steps, tb_writer=None):
        super().__init__(tb_writer)
        if not hasattr(module, arg_name):
            raise AttributeError(f"ValueSetterCallback: module {module.name} has no attribute {arg_name!r}")
        self.module, self.arg_name = module, arg_name
        self.policies = list(policies)
        self.total_steps = total_steps

    def value_at(self, step):
        fraction = step / self.total_steps
        for policy in self.policies:
            if policy.start <= fraction < policy.end:
                return policy.method((fraction - policy.start) / (policy.end - policy.start))
        return getattr(self.module, self.arg_name)

    def on_iteration_start(self):
        value = self.value_at(self.step)
        setattr(self.module, self.arg_name, value)
        writer = self.tb_writer
        if writer is not None:
            writer.add_scalar(f"param/{self.arg_name}", value, self.step)
