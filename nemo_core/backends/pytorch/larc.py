"""LARC: layer-wise adaptive rate control around any optimizer (You et al. 2017, arXiv:1708.03888)."""
from collections import OrderedDict

import torch

__all__ = ["LARC", "LARC_MODES"]

LARC_MODES = ("clip", "scale")


class LARC(torch.optim.Optimizer):
    """Wraps ``optimizer`` and rescales each parameter tensor's gradient before its step.

    Per tensor w with gradient g, in a group with learning rate lr and weight decay wd:
        local_lr = eta * ||w|| / (||g|| + wd * ||w|| + eps)
        factor   = min(local_lr / lr, 1)   in 'clip' mode (the step's rate is min(local_lr, lr))
                   local_lr                in 'scale' mode (the step's rate is lr * local_lr)
        g       <- factor * (g + wd * w)
    factor is 1 where ||w|| or ||g|| is 0. The wrapped optimizer then steps with
    its weight decay set to 0 (the decay is already in the gradient), as apex's
    LARC does; unlike apex, the decay is also applied where a norm is 0.

    It is an ``Optimizer`` for the runner, schedulers and loss scalers:
    ``param_groups``, ``state`` and ``defaults`` are the wrapped optimizer's, and
    ``state_dict`` / ``load_state_dict`` are the wrapped optimizer's (a checkpoint
    holds no LARC state, so one written with or without LARC loads into the other).
    """

    def __init__(self, optimizer, eta=0.02, mode="clip", eps=1e-8):
        if not isinstance(optimizer, torch.optim.Optimizer):
            raise ValueError(f"LARC wraps a torch.optim.Optimizer, got {optimizer!r}")
        if mode not in LARC_MODES:
            raise ValueError(f"LARC: mode must be one of {LARC_MODES}, got {mode!r}")
        if not eta > 0.0:
            raise ValueError(f"LARC: eta must be > 0, got {eta}")
        self.optim = optimizer
        self.eta = float(eta)
        self.mode = mode
        self.eps = float(eps)
        for hooks in (
            "_optimizer_step_pre_hooks",
            "_optimizer_step_post_hooks",
            "_optimizer_state_dict_pre_hooks",
            "_optimizer_state_dict_post_hooks",
            "_optimizer_load_state_dict_pre_hooks",
            "_optimizer_load_state_dict_post_hooks",
        ):
            setattr(self, hooks, OrderedDict())

    param_groups = property(lambda self: self.optim.param_groups)
    state = property(lambda self: self.optim.state)
    defaults = property(lambda self: self.optim.defaults)

    def __getstate__(self):
        return dict(self.__dict__)

    def __setstate__(self, state):
        self.__dict__.update(state)

    def __repr__(self):
        return f"LARC(eta={self.eta}, mode={self.mode!r}, eps={self.eps}) around {self.optim!r}"

    def state_dict(self):
        return self.optim.state_dict()

    def load_state_dict(self, state_dict):
        self.optim.load_state_dict(state_dict)

    def zero_grad(self, set_to_none=True):
        self.optim.zero_grad(set_to_none=set_to_none)

    def add_param_group(self, param_group):
        self.optim.add_param_group(param_group)

    @torch.no_grad()
    def step(self, closure=None):
        """Rescale the gradients per tensor, then step the wrapped optimizer without its weight decay."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        decays = []
        for group in self.optim.param_groups:
            decay = group.get("weight_decay", 0.0)
            decays.append(decay)
            buckets = {}
            for param in group["params"]:
                if param.grad is not None:
                    buckets.setdefault((param.device, param.dtype), []).append(param)
            for params in buckets.values():
                self._rescale(params, decay, group["lr"])
            if "weight_decay" in group:
                group["weight_decay"] = 0.0
        try:
            self.optim.step()
        finally:
            for group, decay in zip(self.optim.param_groups, decays):
                if "weight_decay" in group:
                    group["weight_decay"] = decay
        return loss

    def _rescale(self, params, decay, lr):
        """``g <- factor * (g + decay * w)`` for tensors of one device and dtype (no host sync)."""
        grads = [p.grad for p in params]
        norm_dtype = torch.promote_types(params[0].dtype, torch.float32)
        weight_norms = torch.stack(torch._foreach_norm(params, 2, dtype=norm_dtype))
        grad_norms = torch.stack(torch._foreach_norm(grads, 2, dtype=norm_dtype))
        local_lrs = self.eta * weight_norms / (grad_norms + decay * weight_norms + self.eps)
        if self.mode == "clip":
            local_lrs = (local_lrs / lr).clamp(max=1.0)  # lr == 0 gives inf, clamped to 1
        usable = (weight_norms > 0) & (grad_norms > 0)
        factors = torch.where(usable, local_lrs, torch.ones_like(local_lrs)).to(grads[0].dtype)
        if decay != 0:
            torch._foreach_add_(grads, params, alpha=decay)
        torch._foreach_mul_(grads, list(factors.unbind(0)))
