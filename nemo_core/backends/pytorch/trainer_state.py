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
        "optimizer": runner.optimizers[0].state_dict(),
        "extra_optimizers": [optimizer.state_dict() for optimizer in runner.optimizers[1:]],
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


def restore(runner, folder, force_load=False, explicit=True):
    """Resume ``runner`` from the newest complete set in ``folder``; returns its step or None.

    Every file of the set is read and checked against the modules and the
    optimizer before anything is loaded, so a set that does not fit leaves the
    run unchanged (with ``force_load`` a trainer file that does not fit is
    skipped and only the weights are loaded). A folder holding module files
    only (released checkpoints, ``-STEP-`` or ``-EPOCH-`` names) gives its
    weights and training starts at step 0. A folder that does not exist is a
    warning when it was named explicitly (an error with ``force_load``).
    """
    keys = module_keys(runner.trained_modules)
    if not os.path.isdir(folder):
        message = f"checkpoint folder {folder} (load_from_folder) does not exist"
        if force_load:
            raise checkpoint.CheckpointError(message)
        (_logger(runner).warning if explicit else _logger(runner).info)(f"{message}; training from scratch")
        return None
    steps = _complete_steps(folder, keys.values())
    if not steps:
        return _restore_weights_only(runner, folder, keys, force_load)
    step = steps[-1]
    module_states = _checked_module_states(runner, {m: checkpoint.module_file(folder, k, step) for m, k in keys.items()})
    path = checkpoint.trainer_file(folder, step)
    state = checkpoint.load_state(path, "cpu")
    missing = [key for key in ("optimizer", "precision", "step", "epoch", "batch_in_epoch", "rng") if key not in state]
    optimizer_states = [state.get("optimizer")] + list(state.get("extra_optimizers", []))
    try:
        if missing:
            raise checkpoint.CheckpointError(f"{path}: not a trainer checkpoint (missing {missing})")
        if len(optimizer_states) != len(runner.optimizers):
            raise checkpoint.CheckpointError(f"{path}: holds {len(optimizer_states)} optimizer state(s), this run "
                                             f"has {len(runner.optimizers)} optimizer(s)")
        for optimizer, optimizer_state in zip(runner.optimizers, optimizer_states):
            checkpoint.check_optimizer_state(optimizer, optimizer_state, path)
    except checkpoint.CheckpointError as error:
        if not force_load:
            raise checkpoint.CheckpointError(f"{error}; pass force_load=True to load only the weights") from error
        _load(module_states)
        _logger(runner).warning(f"{error}; force_load: loaded the weights of step {step} only, starting at step 0")
        return None
    _load(module_states)
    for optimizer, optimizer_state in zip(runner.optimizers, optimizer_states):
        optimizer.load_state_dict(optimizer_state)
    runner.precision.load_state_dict(state["precision"])
    runner.step, runner.epoch_num, runner.batch_in_epoch = state["step"], state["epoch"], state["batch_in_epoch"]
    runner.data_seed = state.get("data_seed", runner.data_seed)
    set_rng_state(state["rng"])
    _logger(runner).info(f"Restored checkpoint step {step} (epoch {runner.epoch_num}) from {folder}")
    return step


def _checked_module_states(runner, paths):
    """``[(module, state)]`` read from ``paths`` (module → file), each checked against its module."""
    states = []
    for module, path in paths.items():
        state = checkpoint.load_state(path, runner.device)
        checkpoint.check_module_state(module, state, path)
        states.append((module, state))
    return states


def _load(module_states):
    for module, state in module_states:
        module.load_state_dict(state, strict=True)


def _restore_weights_only(runner, folder, keys, force_load):
    """Load module files without a trainer file (released checkpoints); training starts at step 0."""
    found = {}
    for module, key in keys.items():
        path = None
        for stem in dict.fromkeys([key, type(module).__name__, module.name]):
            path = checkpoint.newest_module_file(folder, stem)
            if path:
                break
        if path:
            found[module] = path
    if not found:
        message = f"no checkpoint ({', '.join(keys.values())}, trainer) in {folder}"
        if force_load:
            raise checkpoint.CheckpointError(message)
        _logger(runner).info(f"{message}; training from scratch")
        return None
    _load(_checked_module_states(runner, found))
    missing = [m.name for m in keys if m not in found]
    loaded = ", ".join(os.path.basename(p) for p in found.values())
    _logger(runner).info(f"Loaded weights {loaded} from {folder} (no trainer file): starting at step 0"
                         + (f"; no file for {missing}" if missing else ""))
    return None


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
