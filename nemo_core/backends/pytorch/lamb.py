"""LAMB (You et al. 2019, "Large Batch Optimization for Deep Learning", arXiv:1904.00962)."""
import math

import torch

from .batched_optimizer import BatchedOptimizer

__all__ = ["Lamb"]


class Lamb(BatchedOptimizer):
    """Adam moments with a per-tensor trust ratio.

    For each parameter tensor w with gradient g, at step t:
        m_t = beta1 * m_{t-1} + (1 - beta1) * g
        v_t = beta2 * v_{t-1} + (1 - beta2) * g^2
        u_t = (m_t / (1 - beta1^t)) / (sqrt(v_t / (1 - beta2^t)) + eps) + weight_decay * w
              (no division by 1 - beta^t without ``bias_correction``)
        r_t = phi(||w||) / ||u_t||   (1 when either norm is 0)
        w  <- w - lr * r_t * u_t
    phi is the identity, or ``min(||w||, max_weight_norm)`` when ``max_weight_norm``
    is given (the paper's bounded scaling function; pytorch-lamb clamps at 10).
    Moments are updated for all tensors of a (device, dtype) at once with
    ``torch._foreach_*``; the trust ratios need no host-device sync.
    """

    def __init__(
        self,
        params,
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-6,
        weight_decay=0.01,
        bias_correction=True,
        max_weight_norm=None,
    ):
        betas = tuple(betas)
        self.check_arguments("Lamb", lr, eps, betas, weight_decay)
        if max_weight_norm is not None and max_weight_norm <= 0.0:
            raise ValueError(f"Lamb: invalid max_weight_norm {max_weight_norm}; must be > 0 or None")
        defaults = dict(
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            bias_correction=bias_correction,
            max_weight_norm=max_weight_norm,
        )
        super().__init__(params, defaults)

    def _state_of(self, param):
        state = self.state[param]
        if not state:
            state["step"] = 0
            state["exp_avg"] = torch.zeros_like(param, memory_format=torch.preserve_format)
            state["exp_avg_sq"] = torch.zeros_like(param, memory_format=torch.preserve_format)
        state["step"] += 1
        return state

    def _update(self, params, group):
        """One LAMB step for parameters of one device and dtype."""
        beta1, beta2 = group["betas"]
        grads = [p.grad for p in params]
        states = [self._state_of(p) for p in params]
        exp_avgs = [state["exp_avg"] for state in states]
        exp_avg_sqs = [state["exp_avg_sq"] for state in states]
        torch._foreach_lerp_(exp_avgs, grads, 1.0 - beta1)
        torch._foreach_mul_(exp_avg_sqs, beta2)
        torch._foreach_addcmul_(exp_avg_sqs, grads, grads, value=1.0 - beta2)
        # m_hat / (sqrt(v_hat) + eps) = (sqrt(bc2) / bc1) * m / (sqrt(v) + eps * sqrt(bc2)), bc_i = 1 - beta_i^t
        if group["bias_correction"]:
            root_bc2 = [math.sqrt(1.0 - beta2 ** state["step"]) for state in states]
            scales = [root / (1.0 - beta1 ** state["step"]) for root, state in zip(root_bc2, states)]
        else:
            root_bc2 = [1.0] * len(states)
        denominators = torch._foreach_sqrt(exp_avg_sqs)
        torch._foreach_add_(denominators, [group["eps"] * root for root in root_bc2])
        updates = torch._foreach_div(exp_avgs, denominators)
        if group["bias_correction"]:
            torch._foreach_mul_(updates, scales)
        if group["weight_decay"] != 0:
            torch._foreach_add_(updates, params, alpha=group["weight_decay"])
        ratios = _trust_ratios(params, updates, group["max_weight_norm"])
        torch._foreach_addcmul_(params, updates, ratios, value=-group["lr"])


def _trust_ratios(params, updates, max_weight_norm=None):
    """Per tensor ``phi(||w||) / ||u||``, 1 where either norm is 0, as a list of 0-dim tensors."""
    norm_dtype = torch.promote_types(params[0].dtype, torch.float32)
    weight_norms = torch.stack(torch._foreach_norm(params, 2, dtype=norm_dtype))
    update_norms = torch.stack(torch._foreach_norm(updates, 2, dtype=norm_dtype))
    if max_weight_norm is not None:
        weight_norms = weight_norms.clamp(max=max_weight_norm)
    usable = (weight_norms > 0) & (update_norms > 0)
    ratios = torch.where(usable, weight_norms / update_norms, torch.ones_like(weight_norms))
    return list(ratios.to(params[0].dtype).unbind(0))
