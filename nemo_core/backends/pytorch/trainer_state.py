"""Checkpoint sets of a training run: which files, what they hold, how they resume."""

import logging
import os
import re

from . import checkpoint
from .rng import rng_state, set_rng_state

__all__ = ["module_keys", "save", "restore", "restore_modules"]


def module_keys(modules):
    """File name stem per module: its class, or its unique name when a class repeats."""
    classes = [type(m).__name__ for m in modules]
    return {m: (m.name if classes.count(type(m).__name__) > 1 else type(m).__name__) for m in modules}


def _position(runner):
    """(epoch, batch in epoch) of the next batch, rolled over at the epoch's end."""
    if runner.batches_per_epoch and runner.batch_in_epoch >= runner.batches_per_epoch:
        return runner.epoch_num + 1, 0
    return runner.epoch_num, runner.batch_in_epoch


def save(runner, folder, keep):
    """Write ``<Key>-STEP-<n>.pt`` per trained module and ``trainer-STEP-<n>.pt``; prune old sets."""
    step = runner.step
    keys = module_keys(runner.trained_modules)
    if os.path.isdir(folder):
        checkpoint.remove_stale_temporaries(folder)
    for module, key in keys.items():
        checkpoint.save_state(module.state_dict(), checkpoint.module_file(folder, key, step))
    epoch, batch_in_epoch = _position(runner)
    state = {
        "step": step,
        "epoch": epoch,
        "batch_in_epoch": batch_in_epoch,
        "data_seed": runner.data_seed,
        "optimizer": runner.optimizer.state_dict(),
        "precision": runner.precision.state_dict(),
        "lr_policy": type(runner.lr_policy).__name__ if runner.lr_policy is not None else None,
        "rng": rng_state(),
    }
    checkpoint.save_state(state, checkpoint.trainer_file(folder, step))
    if runner.logger:
        runner.logger.info(f"Saved checkpoint for step {step} to {folder}")
    if keep and keep > 0:
        for old in checkpoint.saved_steps(folder, "trainer")[:-keep]:
            for key in list(keys.values()) + ["trainer"]:
                path = checkpoint.module_file(folder, key, old)
                if os.path.exists(path):
                    os.remove(path)


def _complete_steps(folder, keys):
    steps = set(checkpoint.saved_steps(folder, "trainer"))
    for key in keys:
        steps &= set(checkpoint.saved_steps(folder, key))
    return sorted(steps)


def restore(runner, folder, force_load=False):
    """Resume ``runner`` from the newest complete set in ``folder``; returns its step or None.

    Every file of the set is read and checked against the modules and the
    optimizer before anything is loaded, so a set that does not fit leaves the
    run unchanged. A folder that does not exist is a warning (an error with
    ``force_load``).
    """
    keys = module_keys(runner.trained_modules)
    if not os.path.isdir(folder):
        message = f"checkpoint folder {folder} (load_from_folder) does not exist"
        if force_load:
            raise checkpoint.CheckpointError(message)
        _logger(runner).warning(f"{message}; training from scratch")
        return None
    steps = _complete_steps(folder, keys.values())
    if not steps:
        message = f"no complete checkpoint set ({', '.join(keys.values())}, trainer) in {folder}"
        if force_load:
            raise checkpoint.CheckpointError(message)
        _logger(runner).info(f"{message}; training from scratch")
        return None
    step = steps[-1]
    module_states = []
    for module, key in keys.items():
        path = checkpoint.module_file(folder, key, step)
        state = checkpoint.load_state(path, runner.device)
        checkpoint.check_module_state(module, state, path)
        module_states.append((module, state))
    path = checkpoint.trainer_file(folder, step)
    state = checkpoint.load_state(path, "cpu")
    missing = [key for key in ("optimizer", "precision", "step", "epoch", "batch_in_epoch", "rng") if key not in state]
    if missing:
        raise checkpoint.CheckpointError(f"{path}: not a trainer checkpoint (missing {missing})")
    checkpoint.check_optimizer_state(runner.optimizer, state["optimizer"], path)
    for module, module_state in module_states:
        module.load_state_dict(module_state, strict=True)
    runner.optimizer.load_state_dict(state["optimizer"])
    runner.precision.load_state_dict(state["precision"])
    runner.step, runner.epoch_num, runner.batch_in_epoch = state["step"], state["epoch"], state["batch_in_epoch"]
    runner.data_seed = state.get("data_seed", runner.data_seed)
    set_rng_state(state["rng"])
    _logger(runner).info(f"Restored checkpoint step {step} (epoch {runner.epoch_num}) from {folder}")
    return step


def _logger(runner):
    return runner.logger or logging.getLogger("nemo")


def restore_modules(modules, folder, pattern, device, logger=None):
    """Load the newest ``<Key>-STEP-*.pt`` (matching ``pattern``) into each module."""
    for module, key in module_keys(modules).items():
        candidates = [key, type(module).__name__, module.name]
        found = None
        for stem in dict.fromkeys(candidates):
            steps = [s for s in checkpoint.saved_steps(folder, stem)
                     if re.search(pattern or "", os.path.basename(checkpoint.module_file(folder, stem, s)))]
            if steps:
                found = checkpoint.module_file(folder, stem, steps[-1])
                break
        if found is None:
            raise checkpoint.CheckpointError(f"no checkpoint for module {module.name} ({key}-STEP-*.pt) in {folder}")
        checkpoint.load_module_state(module, checkpoint.load_state(found, device), found)
        if logger:
            logger.info(f"Restored {module.name} from {found}")
    return modules
