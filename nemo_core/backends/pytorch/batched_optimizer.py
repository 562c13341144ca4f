"""Base of the toolkit's own optimizers: argument checks and one batched update per (device, dtype)."""

import abc

import torch

__all__ = ["BatchedOptimizer"]


class BatchedOptimizer(torch.optim.Optimizer, abc.ABC):
    """An optimizer whose ``_update(params, group)`` updates all tensors of one device and dtype at
    once (with ``torch._foreach_*``), so a step launches a few kernels per group, not per tensor."""

    @staticmethod
    def check_arguments(name, lr, eps, betas, weight_decay):
        """Raise a ValueError naming the optimizer for an Adam-style argument out of range."""
        if lr < 0.0:
            raise ValueError(f"{name}: invalid learning rate {lr}; must be >= 0")
        if eps < 0.0:
            raise ValueError(f"{name}: invalid eps {eps}; must be >= 0")
        if len(betas) != 2 or not all(0.0 <= beta < 1.0 for beta in betas):
            raise ValueError(f"{name}: betas must be two numbers in [0, 1), got {betas}")
        if weight_decay < 0.0:
            raise ValueError(f"{name}: invalid weight_decay {weight_decay}; must be >= 0")

    @torch.no_grad()
    def step(self, closure=None):
        """Perform one optimization step; ``closure`` re-evaluates the model and returns the loss."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            buckets = {}
            for param in group["params"]:
                if param.grad is None:
                    continue
                if param.grad.is_sparse:
                    raise RuntimeError(f"{type(self).__name__} does not support sparse gradients")
                buckets.setdefault((param.device, param.dtype), []).append(param)
            for params in buckets.values():
                self._update(params, group)
        return loss

    @abc.abstractmethod
    def _update(self, params, group):
        """Update ``params`` (one device and dtype, all with gradients) with ``group``'s settings."""
