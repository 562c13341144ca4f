"""Optimizers by name: Novograd, LAMB and a registry of torch optimizers with parameter dataclasses.

Legacy names (``adam_w``, ``fused_adam``, ``fused_novograd``, ``fused_lamb``) resolve to
registered optimizers with a one-time notice; ``larc=True`` wraps any of them in LARC.
"""
import dataclasses
import inspect
import logging
from dataclasses import dataclass
from typing import Any, Optional, Tuple

import torch

from ...utils.arg_checks import ArgumentError, check_bool, check_int, check_number, check_pair
from .batched_optimizer import BatchedOptimizer
from .lamb import Lamb
from .larc import LARC, LARC_MODES

__all__ = [
    "AVAILABLE_OPTIMIZERS",
    "AdadeltaParams",
    "AdagradParams",
    "AdamParams",
    "AdamWParams",
    "AdamaxParams",
    "LARC",
    "Lamb",
    "LambParams",
    "Novograd",
    "NovogradParams",
    "OPTIMIZER_ALIASES",
    "RMSpropParams",
    "SGDParams",
    "get_optimizer",
    "register_optimizer",
]

# Keys of the runner's optimization_params that are not optimizer arguments.
RUNNER_KEYS = frozenset({"num_epochs", "max_steps", "lr", "grad_norm_clip", "batches_per_step"})
# Keys that choose the LARC wrapper, not arguments of the wrapped optimizer.
LARC_KEYS = frozenset({"larc", "larc_eta", "larc_mode"})
# Legacy (NeMo 0.11) optimizer names and the registered optimizer each one uses.
OPTIMIZER_ALIASES = {"adam_w": "adamw", "fused_adam": "adam", "fused_novograd": "novograd", "fused_lamb": "lamb"}
_announced_aliases = set()


class Novograd(BatchedOptimizer):
    """NovoGrad (Ginsburg et al. 2019, arXiv:1905.11286): Adam-like steps with a per-layer second moment.

    For each parameter tensor w with gradient g, at step t:
        v_t = ||g||^2 if t == 1 else beta2 * v_{t-1} + (1 - beta2) * ||g||^2
        u_t = g / (sqrt(v_t) + eps) + weight_decay * w      (times (1 - beta1) if grad_averaging)
        m_t = beta1 * m_{t-1} + u_t                           (m_0 = 0)
        w  <- w - lr * m_t
    With ``amsgrad`` the running maximum of v_t replaces v_t in the denominator.
    """

    def __init__(
        self,
        params,
        lr=1e-3,
        betas=(0.95, 0.98),
        eps=1e-8,
        weight_decay=0,
        grad_averaging=False,
        amsgrad=False,
    ):
        betas = tuple(betas)
        self.check_arguments("Novograd", lr, eps, betas, weight_decay)
        defaults = dict(
            lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, grad_averaging=grad_averaging, amsgrad=amsgrad
        )
        super().__init__(params, defaults)

    def _state_of(self, param):
        state = self.state[param]
        if not state:
            moment_dtype = torch.promote_types(param.dtype, torch.float32)
            state["step"] = 0
            state["exp_avg"] = torch.zeros_like(param, memory_format=torch.preserve_format)
            state["exp_avg_sq"] = torch.zeros((), dtype=moment_dtype, device=param.device)
            state["max_exp_avg_sq"] = torch.zeros((), dtype=moment_dtype, device=param.device)
        state["step"] += 1
        return state

    def _update(self, params, group):
        """One NovoGrad step for parameters of one device and dtype."""
        beta1, beta2 = group["betas"]
        grads = [p.grad for p in params]
        states = [self._state_of(p) for p in params]
        moment_dtype = states[0]["exp_avg_sq"].dtype
        norms = torch._foreach_norm(grads, 2, dtype=moment_dtype)
        norm_sq = torch._foreach_mul(norms, norms)
        first = [i for i, state in enumerate(states) if state["step"] == 1]
        later = [i for i, state in enumerate(states) if state["step"] > 1]
        if first:
            torch._foreach_copy_([states[i]["exp_avg_sq"] for i in first], [norm_sq[i] for i in first])
        if later:
            torch._foreach_lerp_([states[i]["exp_avg_sq"] for i in later], [norm_sq[i] for i in later], 1.0 - beta2)
        second = [state["exp_avg_sq"] for state in states]
        if group["amsgrad"]:
            maxima = [state["max_exp_avg_sq"] for state in states]
            torch._foreach_maximum_(maxima, second)
            second = maxima
        denominators = torch._foreach_add(torch._foreach_sqrt(second), group["eps"])
        if grads[0].dtype != moment_dtype:
            denominators = [d.to(grads[0].dtype) for d in denominators]
        scale = 1.0 - beta1 if group["grad_averaging"] else 1.0
        exp_avgs = [state["exp_avg"] for state in states]
        torch._foreach_mul_(exp_avgs, beta1)
        torch._foreach_addcdiv_(exp_avgs, grads, denominators, value=scale)
        if group["weight_decay"] != 0:
            torch._foreach_add_(exp_avgs, params, alpha=group["weight_decay"] * scale)
        torch._foreach_add_(params, exp_avgs, alpha=-group["lr"])


@dataclass
class SGDParams:
    """Arguments of ``torch.optim.SGD`` besides lr (momentum 0.9 as legacy NeMo)."""

    momentum: float = 0.9
    weight_decay: float = 0.0
    nesterov: bool = False
    dampening: float = 0.0


@dataclass
class AdamParams:
    """Arguments of ``torch.optim.Adam`` besides lr."""

    betas: Tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8
    weight_decay: float = 0.0
    amsgrad: bool = False


@dataclass
class AdamWParams:
    """Arguments of ``torch.optim.AdamW`` besides lr."""

    betas: Tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8
    weight_decay: float = 0.01
    amsgrad: bool = False


@dataclass
class NovogradParams:
    """Arguments of ``Novograd`` besides lr."""

    betas: Tuple[float, float] = (0.95, 0.98)
    eps: float = 1e-8
    weight_decay: float = 0.0
    grad_averaging: bool = False
    amsgrad: bool = False


@dataclass
class LambParams:
    """Arguments of ``Lamb`` besides lr (``max_weight_norm=None``: no clamp of ||w||)."""

    betas: Tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-6
    weight_decay: float = 0.01
    bias_correction: bool = True
    max_weight_norm: Optional[float] = None


@dataclass
class AdagradParams:
    """Arguments of ``torch.optim.Adagrad`` besides lr."""

    lr_decay: float = 0.0
    weight_decay: float = 0.0
    initial_accumulator_value: float = 0.0
    eps: float = 1e-10


@dataclass
class RMSpropParams:
    """Arguments of ``torch.optim.RMSprop`` besides lr."""

    alpha: float = 0.99
    eps: float = 1e-8
    weight_decay: float = 0.0
    momentum: float = 0.0
    centered: bool = False


@dataclass
class AdadeltaParams:
    """Arguments of ``torch.optim.Adadelta`` besides lr."""

    rho: float = 0.9
    eps: float = 1e-6
    weight_decay: float = 0.0


@dataclass
class AdamaxParams:
    """Arguments of ``torch.optim.Adamax`` besides lr."""

    betas: Tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8
    weight_decay: float = 0.0


AVAILABLE_OPTIMIZERS = {
    "sgd": (torch.optim.SGD, SGDParams),
    "adam": (torch.optim.Adam, AdamParams),
    "adamw": (torch.optim.AdamW, AdamWParams),
    "novograd": (Novograd, NovogradParams),
    "lamb": (Lamb, LambParams),
    "adagrad": (torch.optim.Adagrad, AdagradParams),
    "rmsprop": (torch.optim.RMSprop, RMSpropParams),
    "adadelta": (torch.optim.Adadelta, AdadeltaParams),
    "adamax": (torch.optim.Adamax, AdamaxParams),
}


def _params_dataclass_from_signature(optimizer_cls):
    """Build a keyword-only dataclass from the optimizer's ``__init__`` arguments besides params and lr."""
    fields = []
    for arg in inspect.signature(optimizer_cls.__init__).parameters.values():
        if arg.name in ("self", "params", "lr") or arg.kind in (arg.VAR_POSITIONAL, arg.VAR_KEYWORD):
            continue
        if arg.default is inspect.Parameter.empty:
            fields.append((arg.name, Any))
        else:
            fields.append((arg.name, Any, dataclasses.field(default=arg.default)))
    return dataclasses.make_dataclass(f"{optimizer_cls.__name__}Params", fields, kw_only=True)


def register_optimizer(name, optimizer_cls, params_dataclass=None):
    """Make ``optimizer_cls`` available as ``name`` (case-insensitive).

    ``params_dataclass`` lists the accepted arguments besides lr; when omitted
    it is derived from the optimizer's ``__init__`` signature.
    """
    if not (isinstance(optimizer_cls, type) and issubclass(optimizer_cls, torch.optim.Optimizer)):
        raise ValueError(f"register_optimizer('{name}'): {optimizer_cls!r} is not a torch.optim.Optimizer subclass")
    if params_dataclass is None:
        params_dataclass = _params_dataclass_from_signature(optimizer_cls)
    elif not dataclasses.is_dataclass(params_dataclass):
        raise ValueError(f"register_optimizer('{name}'): params_dataclass {params_dataclass!r} is not a dataclass")
    key = name.lower()
    if key in OPTIMIZER_ALIASES:
        raise ValueError(f"Optimizer name '{key}' is the legacy alias of '{OPTIMIZER_ALIASES[key]}'")
    known = AVAILABLE_OPTIMIZERS.get(key)
    if known is not None and known[0] is not optimizer_cls:
        raise ValueError(f"Optimizer '{key}' is already registered as {known[0].__name__}")
    AVAILABLE_OPTIMIZERS[key] = (optimizer_cls, params_dataclass)


def get_optimizer(name, params, lr=None, /, **optimization_params):
    """Build optimizer ``name`` over ``params`` with learning rate ``lr``.

    ``optimization_params`` may be the runner's whole dict: its keys num_epochs,
    max_steps, lr, grad_norm_clip and batches_per_step are skipped (``lr`` is
    used when not given positionally), ``None`` values keep the dataclass
    default, ``larc=True`` (with ``larc_eta``, default 0.02, and ``larc_mode``,
    'clip' or 'scale') wraps the optimizer in :class:`LARC`, and any other key
    must be a field of the optimizer's parameter dataclass. A legacy name
    (``OPTIMIZER_ALIASES``) builds the optimizer it stands for.
    """
    key = _resolve_name(name)
    if lr is None:
        lr = optimization_params.get("lr")
    if lr is None:
        raise ValueError(f"Optimizer '{key}' needs a learning rate: pass lr")
    optimizer_cls, params_dataclass = AVAILABLE_OPTIMIZERS[key]
    accepted = [field.name for field in dataclasses.fields(params_dataclass)]
    kwargs = {}
    for arg, value in optimization_params.items():
        if arg in RUNNER_KEYS or arg in LARC_KEYS:
            continue
        if arg not in accepted:
            raise ValueError(
                f"Optimizer '{key}' got unknown parameter '{arg}'; accepted: {', '.join(sorted(accepted))}"
            )
        if value is not None:
            kwargs[arg] = _checked_field(params_dataclass, arg, value)
    larc = _larc_settings(optimization_params)
    lr = check_number(lr, "optimization_params['lr']", minimum=0)
    try:
        settings = dataclasses.asdict(params_dataclass(**kwargs))
    except TypeError as err:
        raise ValueError(f"Optimizer '{key}': bad parameters {sorted(kwargs)}: {err}") from err
    try:
        optimizer = optimizer_cls(params, lr=lr, **settings)
    except ValueError as err:
        raise ValueError(f"Optimizer '{key}' rejects optimization_params {kwargs}: {err}") from err
    return LARC(optimizer, **larc) if larc is not None else optimizer


def _resolve_name(name):
    """The registered name for ``name`` (legacy aliases resolved, announced once each)."""
    key = str(name).lower()
    if key in AVAILABLE_OPTIMIZERS:
        return key
    real = OPTIMIZER_ALIASES.get(key)
    if real is None or real not in AVAILABLE_OPTIMIZERS:
        aliases = ", ".join(sorted(OPTIMIZER_ALIASES))
        raise ValueError(
            f"Unknown optimizer '{name}'; known: {', '.join(sorted(AVAILABLE_OPTIMIZERS))} (legacy names: {aliases})"
        )
    if key not in _announced_aliases:
        _announced_aliases.add(key)
        cls = AVAILABLE_OPTIMIZERS[real][0]
        logging.getLogger("nemo").info(
            f"Optimizer '{key}' is a legacy name: using '{real}' ({cls.__module__}.{cls.__qualname__})"
        )
    return real


def _larc_settings(optimization_params):
    """LARC's keyword arguments from ``larc``, ``larc_eta`` and ``larc_mode``; None when ``larc`` is off."""
    larc = check_bool(optimization_params.get("larc"), "optimization_params['larc']", optional=True)
    eta = check_number(optimization_params.get("larc_eta"), "optimization_params['larc_eta']", positive=True,
                       optional=True)
    mode = optimization_params.get("larc_mode")
    if mode is not None and mode not in LARC_MODES:
        raise ArgumentError(
            f"optimization_params['larc_mode'] = {mode!r} ({type(mode).__name__}): expected one of {LARC_MODES}"
        )
    if not larc:
        return None
    return {"eta": 0.02 if eta is None else eta, "mode": mode or "clip"}


def _checked_field(params_dataclass, name, value):
    """``value`` checked against the type of field ``name`` (float, int, bool, a pair of floats, optional float)."""
    annotation = {field.name: field.type for field in dataclasses.fields(params_dataclass)}[name]
    where = f"optimization_params['{name}']"
    if annotation is float:
        return check_number(value, where)
    if annotation == Optional[float]:
        return check_number(value, where, optional=True)
    if annotation is int:
        return check_int(value, where)
    if annotation is bool:
        return check_bool(value, where)
    if annotation == Tuple[float, float]:
        return check_pair(value, where)
    return value
