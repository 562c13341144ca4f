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
    "module_file",
    "trainer_file",
    "saved_steps",
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


def load_module_state(module, state, path):
    """Load ``state`` into ``module``; a mismatch names the file and the keys or shapes."""
    try:
        result = module.load_state_dict(state, strict=False)
    except RuntimeError as error:  # torch reports shape mismatches this way
        raise CheckpointError(f"{path} does not fit module {module.name}: {error}") from error
    if result.missing_keys or result.unexpected_keys:
        raise CheckpointError(
            f"{path} does not fit module {module.name}: missing keys {result.missing_keys}, "
            f"unexpected keys {result.unexpected_keys}"
        )


def remove_stale_temporaries(folder):
    """Delete half-written ``.<name>-STEP-<n>.pt.*.tmp`` files left by a killed save."""
    for path in glob.glob(os.path.join(glob.escape(folder), ".*-STEP-*.pt.*.tmp")):
        os.remove(path)


def module_file(folder, module_key, step):
    return os.path.join(folder, f"{module_key}-STEP-{step}.pt")


def trainer_file(folder, step):
    return os.path.join(folder, f"trainer-STEP-{step}.pt")


def saved_steps(folder, module_key):
    """Steps for which ``folder`` holds a file of ``module_key``, ascending."""
    pattern = os.path.join(glob.escape(folder), f"{glob.escape(module_key)}-STEP-*.pt")
    steps = []
    for path in glob.glob(pattern):
        match = _STEP_RE.search(path)
        if match and os.path.basename(path) == f"{module_key}-STEP-{match.group(1)}.pt":
            steps.append(int(match.group(1)))
    return sorted(steps)
