"""Learning-rate policies of legacy NeMo: ``policy(initial_lr, step, epoch) -> lr``.

Steps count optimizer steps from 0. Every policy warms up linearly for
``warmup_steps`` (or ``warmup_ratio * total_steps``) steps, then applies its own
formula; past ``total_steps`` the lr stays at ``min_lr``. ``progress`` below is
``(step - decay_start) / (total_steps - decay_start)``, where ``decay_start`` is
the end of warmup (and of the hold phase, for the hold policies).
"""
import math
from abc import ABC, abstractmethod

__all__ = [
    "AVAILABLE_SCHEDULERS",
    "CosineAnnealing",
    "InverseSquareRootAnnealing",
    "PolynomialDecayAnnealing",
    "PolynomialHoldDecayAnnealing",
    "SquareAnnealing",
    "SquareRootAnnealing",
    "WarmupAnnealing",
    "WarmupHoldPolicy",
    "WarmupPolicy",
    "get_lr_policy",
    "register_scheduler",
]


class _LRPolicy(ABC):
    """Base of all policies: maps (initial_lr, step, epoch) to the lr of that step."""

    def __init__(self, total_steps):
        self.total_steps = total_steps

    @abstractmethod
    def __call__(self, initial_lr, step, epoch):
        """Return the learning rate for this step and epoch."""


def _resolve_steps(policy, kind, steps, ratio, total_steps):
    """Turn ``<kind>_steps`` or ``<kind>_ratio`` (of total_steps) into a step count."""
    if steps is not None and ratio is not None:
        raise ValueError(f"{policy}: give either {kind}_steps or {kind}_ratio, not both")
    if ratio is not None:
        if total_steps is None:
            raise ValueError(f"{policy}: {kind}_ratio={ratio} needs total_steps")
        if not 0.0 <= ratio <= 1.0:
            raise ValueError(f"{policy}: {kind}_ratio must be in [0, 1], got {ratio}")
        return int(ratio * total_steps)
    if steps is None:
        return 0
    if steps < 0:
        raise ValueError(f"{policy}: {kind}_steps must be >= 0, got {steps}")
    return int(steps)


class WarmupPolicy(_LRPolicy):
    """Warmup lr*(step+1)/(warmup_steps+1) for step < warmup_steps, then constant lr."""

    _needs_total_steps = False

    def __init__(self, *, warmup_steps=None, warmup_ratio=None, total_steps=None, min_lr=0.0):
        name = type(self).__name__
        if total_steps is None and self._needs_total_steps:
            raise ValueError(f"{name} needs total_steps (the number of training steps)")
        if total_steps is not None and total_steps <= 0:
            raise ValueError(f"{name}: total_steps must be > 0, got {total_steps}")
        super().__init__(total_steps)
        self.warmup_steps = _resolve_steps(name, "warmup", warmup_steps, warmup_ratio, total_steps)
        self.decay_start = self.warmup_steps
        self.min_lr = min_lr

    def __call__(self, initial_lr, step, epoch):
        if step < self.warmup_steps:
            return initial_lr * (step + 1) / (self.warmup_steps + 1)
        if self._past_end(step):
            return self.min_lr
        return self._get_lr(initial_lr, step, epoch)

    def _past_end(self, step):
        """True once training ran past total_steps."""
        return self.total_steps is not None and step > self.total_steps

    def _progress(self, step, start):
        """Fraction of the span [start, total_steps] done at step, clamped to [0, 1]."""
        span = self.total_steps - start
        if span <= 0:
            return 1.0
        return min(max((step - start) / span, 0.0), 1.0)

    def _get_lr(self, initial_lr, step, epoch):
        """Constant lr after warmup."""
        return initial_lr


class WarmupHoldPolicy(WarmupPolicy):
    """Warmup, then hold lr for hold_steps (or hold_ratio*total_steps), then constant lr."""

    def __init__(
        self,
        *,
        warmup_steps=None,
        warmup_ratio=None,
        hold_steps=None,
        hold_ratio=None,
        total_steps=None,
        min_lr=0.0,
    ):
        super().__init__(
            warmup_steps=warmup_steps, warmup_ratio=warmup_ratio, total_steps=total_steps, min_lr=min_lr
        )
        self.hold_steps = _resolve_steps(type(self).__name__, "hold", hold_steps, hold_ratio, total_steps)
        self.decay_start = self.warmup_steps + self.hold_steps

    def __call__(self, initial_lr, step, epoch):
        if self.warmup_steps <= step < self.decay_start:
            return initial_lr
        return super().__call__(initial_lr, step, epoch)


class SquareAnnealing(WarmupPolicy):
    """After warmup: (lr - min_lr) * (1 - progress)**2 + min_lr."""

    _needs_total_steps = True

    def __init__(self, total_steps=None, min_lr=1e-5, **kwargs):
        super().__init__(total_steps=total_steps, min_lr=min_lr, **kwargs)

    def _get_lr(self, initial_lr, step, epoch):
        return (initial_lr - self.min_lr) * (1.0 - self._progress(step, self.decay_start)) ** 2 + self.min_lr


class SquareRootAnnealing(WarmupPolicy):
    """After warmup: (lr - min_lr) * sqrt(1 - step/total_steps) + min_lr (step from 0, as legacy)."""

    _needs_total_steps = True

    def __init__(self, total_steps=None, min_lr=0.0, **kwargs):
        super().__init__(total_steps=total_steps, min_lr=min_lr, **kwargs)

    def _get_lr(self, initial_lr, step, epoch):
        return (initial_lr - self.min_lr) * (1.0 - self._progress(step, 0)) ** 0.5 + self.min_lr


class CosineAnnealing(WarmupPolicy):
    """After warmup: 0.5 * (lr - min_lr) * (1 + cos(pi * progress)) + min_lr."""

    _needs_total_steps = True

    def __init__(self, total_steps=None, min_lr=0.0, **kwargs):
        super().__init__(total_steps=total_steps, min_lr=min_lr, **kwargs)

    def _get_lr(self, initial_lr, step, epoch):
        if initial_lr < self.min_lr:
            raise ValueError(f"CosineAnnealing: initial lr {initial_lr} is below min_lr {self.min_lr}")
        cosine = 1.0 + math.cos(math.pi * self._progress(step, self.decay_start))
        return 0.5 * (initial_lr - self.min_lr) * cosine + self.min_lr


class WarmupAnnealing(WarmupPolicy):
    """After warmup: linear decay (lr - min_lr) * (1 - progress) + min_lr."""

    _needs_total_steps = True

    def __init__(self, total_steps=None, min_lr=0.0, **kwargs):
        super().__init__(total_steps=total_steps, min_lr=min_lr, **kwargs)

    def _get_lr(self, initial_lr, step, epoch):
        return (initial_lr - self.min_lr) * (1.0 - self._progress(step, self.decay_start)) + self.min_lr


class InverseSquareRootAnnealing(WarmupPolicy):
    """After warmup: max(lr / sqrt((step + 1) / (warmup_steps + 1)), min_lr); total_steps optional."""

    def __init__(self, total_steps=None, min_lr=0.0, **kwargs):
        super().__init__(total_steps=total_steps, min_lr=min_lr, **kwargs)

    def _get_lr(self, initial_lr, step, epoch):
        return max(initial_lr / ((step + 1) / (self.warmup_steps + 1)) ** 0.5, self.min_lr)


class _PolynomialDecay:
    """Mixin: (lr - min_lr) * (1 - progress)**power + min_lr from decay_start to total_steps.

    With ``cycle`` the decay span grows to the next multiple of itself that
    covers the step (TensorFlow's ``polynomial_decay``), so it never ends.
    """

    def _past_end(self, step):
        return not self.cycle and super()._past_end(step)

    def _get_lr(self, initial_lr, step, epoch):
        span = self.total_steps - self.decay_start
        done = step - self.decay_start
        if span <= 0:
            return self.min_lr
        if self.cycle and done > 0:
            span *= math.ceil(done / span)
        progress = min(done, span) / span
        return (initial_lr - self.min_lr) * (1.0 - progress) ** self.power + self.min_lr


class PolynomialDecayAnnealing(_PolynomialDecay, WarmupPolicy):
    """After warmup: (lr - min_lr) * (1 - progress)**power + min_lr; cycle restarts the decay."""

    _needs_total_steps = True

    def __init__(self, total_steps=None, min_lr=0.0, power=1.0, cycle=False, **kwargs):
        super().__init__(total_steps=total_steps, min_lr=min_lr, **kwargs)
        self.power = power
        self.cycle = cycle


class PolynomialHoldDecayAnnealing(_PolynomialDecay, WarmupHoldPolicy):
    """After warmup and hold: (lr - min_lr) * (1 - progress)**power + min_lr."""

    _needs_total_steps = True

    def __init__(self, total_steps=None, min_lr=0.0, power=1.0, cycle=False, **kwargs):
        super().__init__(total_steps=total_steps, min_lr=min_lr, **kwargs)
        self.power = power
        self.cycle = cycle


AVAILABLE_SCHEDULERS = {
    cls.__name__: cls
    for cls in (
        WarmupPolicy,
        WarmupHoldPolicy,
        SquareAnnealing,
        SquareRootAnnealing,
        CosineAnnealing,
        WarmupAnnealing,
        InverseSquareRootAnnealing,
        PolynomialDecayAnnealing,
        PolynomialHoldDecayAnnealing,
    )
}


def register_scheduler(name, scheduler_cls):
    """Make ``scheduler_cls`` (an ``_LRPolicy`` subclass) available as ``name``."""
    if not (isinstance(scheduler_cls, type) and issubclass(scheduler_cls, _LRPolicy)):
        raise ValueError(f"register_scheduler('{name}'): {scheduler_cls!r} is not an _LRPolicy subclass")
    known = AVAILABLE_SCHEDULERS.get(name)
    if known is not None and known is not scheduler_cls:
        raise ValueError(f"Scheduler '{name}' is already registered as {known.__name__}")
    AVAILABLE_SCHEDULERS[name] = scheduler_cls


def get_lr_policy(name, **kwargs):
    """Build the policy registered as ``name`` (case-insensitive) with ``kwargs``."""
    by_lower = {known.lower(): cls for known, cls in AVAILABLE_SCHEDULERS.items()}
    cls = AVAILABLE_SCHEDULERS.get(name) or by_lower.get(str(name).lower())
    if cls is None:
        raise ValueError(f"Unknown lr policy '{name}'; known: {', '.join(sorted(AVAILABLE_SCHEDULERS))}")
    try:
        return cls(**kwargs)
    except TypeError as err:
        raise ValueError(f"lr policy '{name}' got bad arguments {sorted(kwargs)}: {err}") from err
