"""Mixed precision for the runner: native ``torch.amp`` by default, apex when asked.

Levels (legacy apex names):

- ``O0``: fp32, no autocast.
- ``O1``: autocast (fp16 on CUDA with dynamic loss scaling, bf16 on CPU) over
  fp32 weights.
- ``O2``: O1 plus half-precision weights (normalization layers stay fp32); the
  optimizer updates fp32 master copies that are copied back after each step
  (and saved with the trainer state, so a resumed run keeps full precision).
- ``O3``: pure half precision: half weights, autocast, no master copies.
"""

import contextlib
import math
import os

import torch
from torch import nn

__all__ = ["Precision", "LEVELS"]

LEVELS = ("O0", "O1", "O2", "O3")
_NORM_LAYERS = (nn.modules.batchnorm._BatchNorm, nn.LayerNorm, nn.GroupNorm, nn.modules.instancenorm._InstanceNorm)


def _apex_amp():
    try:
        from apex import amp
    except ImportError:
        return None
    return amp


def _half_weights(module, dtype):
    """Cast a module to ``dtype`` except its normalization layers."""
    for sub in module.modules():
        if isinstance(sub, _NORM_LAYERS):
            continue
        for name, param in sub.named_parameters(recurse=False):
            param.data = param.data.to(dtype)
        for name, buf in sub.named_buffers(recurse=False):
            if buf.is_floating_point():
                setattr(sub, name, buf.to(dtype))


class Precision:
    """Autocast context, loss scaling, master weights and their state for one action."""

    def __init__(self, level, device, amp_dtype=None, max_loss_scale=2.0**24, use_apex=None, logger=None,
                 check_nonfinite=True, min_loss_scale=None):
        if level not in LEVELS:
            raise ValueError(f"optimization level must be one of {LEVELS}, got {level!r}")
        self.level = level
        self.device_type = torch.device(device).type
        if use_apex is None:
            use_apex = os.environ.get("NEMO_USE_APEX", "0") == "1"
        self.apex = _apex_amp() if use_apex and level != "O0" else None
        if use_apex and self.apex is None and level != "O0" and logger:
            logger.warning("apex was asked for but `from apex import amp` fails; using native torch.amp")
        default = torch.float16 if self.device_type == "cuda" else torch.bfloat16
        self.dtype = None if level == "O0" else (amp_dtype or default)
        self.max_loss_scale = float(max_loss_scale)
        self.min_loss_scale = None if min_loss_scale is None else float(min_loss_scale)
        use_scaler = self.apex is None and self.dtype == torch.float16 and level in ("O1", "O2")
        self.scaler = torch.amp.GradScaler(
            self.device_type, init_scale=min(2.0**16, self.max_loss_scale), enabled=use_scaler
        )
        self._scaling = self.scaler.is_enabled()
        self.master_pairs = []
        self.skipped_steps = 0
        self.check_nonfinite = check_nonfinite
        self._probe = None
        if logger:
            logger.info(self.describe())

    def describe(self):
        """One line saying which engine and dtype are in use."""
        if self.level == "O0":
            return "Precision: O0, float32 (no autocast)"
        engine = "apex.amp" if self.apex else "native torch.amp"
        scaling = "dynamic loss scaling" if self.scaler.is_enabled() else "no loss scaling"
        return f"Precision: {self.level}, {engine}, {str(self.dtype).replace('torch.', '')} on {self.device_type}, {scaling}"

    def prepare_modules(self, modules):
        """Cast weights for O2/O3 before the optimizer is built."""
        if self.level in ("O2", "O3") and self.apex is None:
            for module in modules:
                _half_weights(module, self.dtype)

    def optimizer_params(self, params):
        """Parameters the optimizer should own: fp32 master copies under O2."""
        if self.level != "O2" or self.apex is not None:
            return params
        owned = []
        for param in params:
            if param.dtype == torch.float32:
                owned.append(param)
                continue
            master = param.detach().float().clone().requires_grad_(True)
            self.master_pairs.append((param, master))
            owned.append(master)
        return owned

    def wrap_optimizer(self, modules, optimizer):
        """Let apex patch models and optimizer when it is the engine."""
        if self.apex is None:
            return modules, optimizer
        modules, optimizer = self.apex.initialize(
            modules, optimizer, opt_level=self.level, max_loss_scale=self.max_loss_scale, verbosity=0
        )
        return modules, optimizer

    @property
    def casts(self):
        """Whether forward passes run under native autocast."""
        return self.dtype is not None and self.apex is None

    def autocast(self):
        """A (reusable) autocast context for this level (a null context when nothing is cast)."""
        if not self.casts:
            return contextlib.nullcontext()
        return torch.autocast(self.device_type, dtype=self.dtype)

    def backward(self, loss, optimizer):
        """Backward ``loss`` (scaled under fp16); with the non-finite check on, keep it for the check."""
        if self.apex is not None:
            with self.apex.scale_loss(loss, optimizer) as scaled:
                scaled.backward()
            return
        if self.check_nonfinite:
            loss_value = loss.detach()
            self._probe = loss_value if self._probe is None else self._probe + loss_value
        if not loss.requires_grad:  # every weight is frozen (e.g. until an UnfreezeCallback)
            return
        if self._scaling:
            loss = self.scaler.scale(loss)
        loss.backward()

    def take_probe(self):
        """The sum of this step's losses (finite iff each of them is), then forget it; None when the
        check is off. A caller that must agree across ranks sums ``probe * 0`` over them: the result
        is NaN on every rank when some rank's loss was not finite."""
        probe, self._probe = self._probe, None
        return probe

    def step(self, optimizer, grad_norm_clip=None, probe=None):
        """Unscale, clip, step (and update the scale); returns False for a skipped step.

        ``probe`` comes from :meth:`take_probe` (agreed across ranks by the caller).
        A step is skipped (and counted in ``skipped_steps``) when it is not finite,
        when the loss scaler finds non-finite gradients, or when clipping finds a
        non-finite gradient norm. The decision costs one host-device sync; with
        the check off and no loss scaler there is none.
        """
        self._gather_master_grads()
        if self._scaling:
            return self._scaled_step(optimizer, grad_norm_clip, probe)
        norm = None
        if grad_norm_clip:
            params = self._clip_params(optimizer)
            norm = torch.nn.utils.get_total_norm([p.grad for p in params])
            if self.check_nonfinite:
                probe = norm if probe is None else probe.reshape(()) + norm.to(probe.device)
        if probe is not None and not math.isfinite(probe.item()):
            self.skipped_steps += 1
            return False
        if grad_norm_clip:
            torch.nn.utils.clip_grads_with_norm_(params, grad_norm_clip, norm, foreach=True)
        optimizer.step()
        self._copy_masters_back()
        return True

    def _clip_params(self, optimizer):
        return [p for group in optimizer.param_groups for p in group["params"] if p.grad is not None]

    def _scaled_step(self, optimizer, grad_norm_clip, probe):
        """fp16: unscale, fold the loss probe into the scaler's inf check, decide once, update the scale."""
        self.scaler.unscale_(optimizer)
        found = list(self.scaler._per_optimizer_states[id(optimizer)]["found_inf_per_device"].values())
        if probe is not None:
            found[0].add_(torch.logical_not(torch.isfinite(probe)).to(found[0]).reshape(found[0].shape))
        if grad_norm_clip:
            torch.nn.utils.clip_grad_norm_(self._clip_params(optimizer), grad_norm_clip, foreach=True)
        total = found[0] if len(found) == 1 else torch.stack([f.to(found[0].device) for f in found]).sum()
        stepped = total.item() == 0
        if stepped:
            optimizer.step()
            self._copy_masters_back()
        else:
            self.skipped_steps += 1
        self.scaler.update()
        self.scaler._scale.clamp_(min=self.min_loss_scale, max=self.max_loss_scale)
        return stepped

    def _gather_master_grads(self):
        """O2: hand the model's half gradients to the fp32 masters (one batched copy)."""
        if not self.master_pairs:
            return
        pairs = [(model_param, master) for model_param, master in self.master_pairs if model_param.grad is not None]
        for model_param, master in self.master_pairs:
            if model_param.grad is None:
                master.grad = None
            elif master.grad is None:
                master.grad = torch.empty_like(master)
        if pairs:
            torch._foreach_copy_([m.grad for _, m in pairs], [p.grad for p, _ in pairs])
        for model_param, _ in self.master_pairs:
            model_param.grad = None

    def _copy_masters_back(self):
        if not self.master_pairs:
            return
        with torch.no_grad():
            torch._foreach_copy_([p for p, _ in self.master_pairs], [m for _, m in self.master_pairs])

    def state_dict(self):
        """Scaler state, skipped-step count and (O2) the fp32 master weights."""
        return {
            "level": self.level,
            "scaler": self.scaler.state_dict(),
            "skipped_steps": self.skipped_steps,
            "masters": [master.detach().cpu() for _, master in self.master_pairs],
        }

    def load_state_dict(self, state):
        """Restore :meth:`state_dict`; masters come from the (restored) model when none fit."""
        if state.get("scaler"):
            self.scaler.load_state_dict(state["scaler"])
        self.skipped_steps = state.get("skipped_steps", 0)
        saved = state.get("masters") or []
        if len(saved) != len(self.master_pairs):  # none saved, or another level: start from the model
            saved = [model_param for model_param, _ in self.master_pairs]
        with torch.no_grad():
            for (model_param, master), value in zip(self.master_pairs, saved):
                master.copy_(value.float())
                model_param.copy_(master)
