"""Checkpoint files: atomic writes, safe loading, naming and discovery.

Files are ``<Module>-STEP-<n>.pt`` (a module's ``state_dict``) and
``trainer-STEP-<n>.pt`` (optimizer, step, epoch, lr policy, scaler, O2 master
weights, RNG).
"""

import glob
import os
import re

import torch

from ...utils.atomic import atomic_path

__all__ = [
    "save_state",
    "load_state",
    "load_module_state",
    "check_module_state",
    "check_optimizer_state",
    "module_file",
    "trainer_file",
    "saved_steps",
    "newest_module_file",
    "remove_stale_temporaries",
    "CheckpointError",
]

_STEP_RE = re.compile(r"-STEP-(\d+)\.pt$")


class CheckpointError(RuntimeError):
    """A checkpoint file that is missing, unreadable or does not fit its module."""


def save_state(state, path):
    """``torch.save`` to a temporary name, flush it to disk, then rename over ``path``."""
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as handle:
            torch.save(state, handle)
            handle.flush()
            os.fsync(handle.fileno())


def load_state(path, map_location="cpu"):
    """Load a file written by :func:`save_state` with ``weights_only=True``."""
    if not os.path.isfile(path):
        raise CheckpointError(f"checkpoint file not found: {path}")
    try:
        return torch.load(path, map_location=map_location, weights_only=True)
    except Exception as error:  # torch raises several unrelated types here
        raise CheckpointError(f"cannot load checkpoint {path}: {error}") from error


def check_module_state(module, state, path):
    """Raise unless ``state`` fits ``module`` whole: the same keys, each tensor of the same shape."""
    if not isinstance(state, dict):
        raise CheckpointError(f"{path} does not hold a state dict for module {module.name}")
    own = module.state_dict()
    missing = sorted(set(own) - set(state))
    unexpected = sorted(set(state) - set(own))
    if missing or unexpected:
        raise CheckpointError(
            f"{path} does not fit module {module.name}: missing keys {missing}, unexpected keys {unexpected}"
        )
    wrong = [
        f"{key}: file {tuple(value.shape)}, module {tuple(own[key].shape)}"
        for key, value in state.items()
        if isinstance(value, torch.Tensor) and isinstance(own[key], torch.Tensor) and value.shape != own[key].shape
    ]
    if wrong:
        raise CheckpointError(f"{path} does not fit module {module.name}: shape mismatch for {'; '.join(wrong)}")


def load_module_state(module, state, path):
    """Load ``state`` into ``module`` after checking all of it; on a mismatch the module is unchanged."""
    check_module_state(module, state, path)
    module.load_state_dict(state, strict=True)


def check_optimizer_state(optimizer, state, path):
    """Raise unless ``state`` (an optimizer ``state_dict``) fits ``optimizer``'s groups and parameter shapes."""
    try:
        groups = state["param_groups"]
        saved_state = state["state"]
    except (TypeError, KeyError) as error:
        raise CheckpointError(f"{path}: no optimizer state in it ({error})") from error
    own_groups = optimizer.param_groups
    sizes, own_sizes = [len(g["params"]) for g in groups], [len(g["params"]) for g in own_groups]
    if sizes != own_sizes:
        raise CheckpointError(
            f"{path}: its optimizer state has parameter groups of sizes {sizes}, the optimizer of this run "
            f"{own_sizes} (another model or optimizer wrote it)"
        )
    for group, own_group in zip(groups, own_groups):
        for index, param in zip(group["params"], own_group["params"]):
            for name, value in saved_state.get(index, {}).items():
                if isinstance(value, torch.Tensor) and value.dim() > 0 and value.shape != param.shape:
                    raise CheckpointError(
                        f"{path}: optimizer state '{name}' of parameter {index} has shape {tuple(value.shape)}, "
                        f"the parameter {tuple(param.shape)} (another model or optimizer wrote it)"
                    )


def remove_stale_temporaries(folder):
    """Delete half-written ``.<name>-STEP-<n>.pt.*.tmp`` files left by a killed save."""
    for path in glob.glob(os.path.join(glob.escape(folder), ".*-STEP-*.pt.*.tmp")):
        os.remove(path)


def module_file(folder, module_key, step):
    return os.path.join(folder, f"{module_key}-STEP-{step}.pt")


def trainer_file(folder, step):
    return os.path.join(folder, f"trainer-STEP-{step}.pt")


def newest_module_file(folder, module_key):
    """The newest ``<module_key>-STEP-<n>.pt`` or ``-EPOCH-<n>.pt`` in ``folder`` (released checkpoints), or None."""
    found = []
    for kind in ("STEP", "EPOCH"):
        pattern = os.path.join(glob.escape(folder), f"{glob.escape(module_key)}-{kind}-*.pt")
        for path in glob.glob(pattern):
            match = re.fullmatch(rf"{re.escape(module_key)}-{kind}-(\d+)\.pt", os.path.basename(path))
            if match:
                found.append((kind == "STEP", int(match.group(1)), path))
    return max(found)[2] if found else None


def saved_steps(folder, module_key):
    """Steps for which ``folder`` holds a file of ``module_key``, ascending."""
    pattern = os.path.join(glob.escape(folder), f"{glob.escape(module_key)}-STEP-*.pt")
    steps = []
    for path in glob.glob(pattern):
        match = _STEP_RE.search(path)
        if match and os.path.basename(path) == f"{module_key}-STEP-{match.group(1)}.pt":
            steps.append(int(match.group(1)))
    return sorted(steps)
