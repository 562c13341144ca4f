"""The action runner: train, evaluate and infer loops over planned DAGs.

Precision (``precision.py``), distribution (``distributed.py``), data loading
(``loader.py``) and checkpoint files (``trainer_state.py``) plug in here; the
loops themselves only order the work.
"""

import contextlib
import math

import torch
from tqdm import tqdm

from ...core.callbacks import as_action_callback
from ...core.graph import plan_graph
from ...core.nm_tensor import NmTensor
from . import trainer_state
from .executor import DagExecutor, move_to_device
from .loader import build_loader, on_device
from .nm import TrainableNM
from .optimizers import get_optimizer
from .precision import Precision
from .profiling import profiler_for
from .training_setup import OptimizerGroup, TrainLoop, no_batch_message, training_params

__all__ = ["PtActions", "TrainingStopped"]

class TrainingStopped(RuntimeError):
    """Training stopped on purpose (e.g. a non-finite loss with stop_on_nan_loss)."""


@contextlib.contextmanager
def _modes(modules, training):
    """Put ``modules`` in train/eval mode for the block, then restore their modes."""
    previous = [(m, m.training) for m in modules if isinstance(m, torch.nn.Module)]
    for module, _ in previous:
        module.train(training)
    try:
        yield
    finally:
        for module, flag in previous:
            module.train(flag)


class PtActions:
    """Runs actions for a factory; callbacks see it as ``callback.action``."""

    def __init__(self, dist_ctx, device, optim_level="O0", tb_writer=None, logger=None, data_seed=0, amp_dtype=None):
        self.dist = dist_ctx
        self.device = device
        self.optim_level = optim_level
        self.amp_dtype = amp_dtype
        self.tb_writer = tb_writer
        self.logger = logger
        self.data_seed = data_seed
        self.reset()

    def reset(self):
        """Forget step, epoch, optimizer and caches (``nf.reset_trainer()``)."""
        self.step = 0
        self.epoch_num = 0
        self.batch_in_epoch = 0
        self.batches_per_epoch = None
        self.registered_tensors = {}
        self.optimizer = None
        self.optimizers = []
        self._groups = []
        self.dag_tensors = []
        self.lr_policy = None
        self.precision = None
        self.trained_modules = []
        self._ddp_wrappers = []
        self._grad_averager = None
        self._eval_cache = {}
        self._infer_cache = None

    def clear_cache(self):
        """Forget the batches kept by ``infer(cache=True)``."""
        self._infer_cache = None

    local_rank = property(lambda self: self.dist.local_rank)
    global_rank = property(lambda self: self.dist.global_rank)
    world_size = property(lambda self: self.dist.world_size)

    # ------------------------------------------------------------------ setup
    def _place(self, modules):
        for module in modules:
            if isinstance(module, torch.nn.Module):
                module.to(self.device)

    def create_optimizer(self, optimizer, things_to_optimize, optimizer_params=None):
        """Build an optimizer by name over modules, NmTensors' graphs or parameters."""
        params = self._collect_params(things_to_optimize)
        optimizer_params = dict(optimizer_params or {})
        lr = optimizer_params.pop("lr", 1e-3)
        if self.precision is not None:
            params = self.precision.optimizer_params(params)
        return get_optimizer(optimizer, params, lr, **optimizer_params)

    def _collect_params(self, things):
        params = []
        for thing in things:
            if isinstance(thing, torch.nn.Parameter):
                params.append(thing)
            elif isinstance(thing, torch.nn.Module):
                params.extend(thing.parameters())
            else:  # an NmTensor: every trainable module of its DAG
                modules = plan_graph([thing]).modules
                params.extend(p for m in modules if isinstance(m, TrainableNM) for p in m.parameters())
        return list(dict.fromkeys(params))  # frozen weights too: an UnfreezeCallback may free them later

    def _train_setup(self, callbacks, tensors_to_optimize, synced_batchnorm, gradient_predivide, sync_group_size=0):
        """Plan the train DAG (losses and callback tensors), place it, prepare distribution."""
        callback_tensors = [t for cb in callbacks for t in cb.tensors]
        plan_graph(tensors_to_optimize, "tensors_to_optimize")  # names the losses' DAG in its errors
        full_plan = plan_graph(list(tensors_to_optimize) + callback_tensors, "the train DAG with callback tensors")
        modules = full_plan.modules
        if synced_batchnorm and self.dist.is_distributed:
            process_group = self.dist.subgroup(sync_group_size) if sync_group_size else None
            for module in modules:
                if isinstance(module, TrainableNM):
                    torch.nn.SyncBatchNorm.convert_sync_batchnorm(module, process_group)
        self._place(modules)
        trainable = [m for m in modules if isinstance(m, TrainableNM)]
        callables, self._grad_averager = self.dist.prepare_training(trainable, gradient_predivide)
        return full_plan, trainable, callables

    # ------------------------------------------------------------------ train
    def train(self, tensors_to_optimize, optimizer=None, optimization_params=None, callbacks=None,
              lr_policy=None, batches_per_step=None, stop_on_nan_loss=False, synced_batchnorm=False,
              gradient_predivide=False, amp_max_loss_scale=2.0**24, reset=False, amp_dtype=None, use_apex=None,
              check_nonfinite=True, profile=None, profile_dir=None, synced_batchnorm_groupsize=0,
              amp_min_loss_scale=None):
        """Optimize the sum of ``tensors_to_optimize`` over their data layer.

        ``optimizer`` is a name, a ``torch.optim.Optimizer``, or a list of
        ``(optimizer, [losses])`` pairs stepped in turn on each batch (each with
        its own forward pass: the GAN pattern). With ``check_nonfinite``
        (default) a step whose loss or gradients are not finite on any rank is
        skipped on every rank and counted; the decision costs one host-device
        sync per optimizer step. ``check_nonfinite=False`` removes that sync
        (fp16 loss scaling keeps its own check).
        """
        params = training_params(optimization_params, batches_per_step)
        num_epochs, max_steps, bps = params["num_epochs"], params["max_steps"], params["batches_per_step"]
        pairs = optimizer if isinstance(optimizer, (list, tuple)) else None
        if pairs is not None:
            if bps > 1:
                raise ValueError("several optimizers cannot accumulate gradients: use batches_per_step=1")
            tensors_to_optimize = [t for _, losses in pairs for t in losses]
        if reset:
            self.reset()
        callbacks = [as_action_callback(cb) for cb in callbacks or []]
        for callback in callbacks:
            callback.action = self
        full_plan, trainable, callables = self._train_setup(
            callbacks, tensors_to_optimize, synced_batchnorm, gradient_predivide, synced_batchnorm_groupsize
        )
        self.trained_modules = trainable
        self._ddp_wrappers = list(callables.values())
        self.precision = Precision(
            self.optim_level, self.device, amp_dtype or self.amp_dtype, amp_max_loss_scale, use_apex, self.logger,
            check_nonfinite=check_nonfinite or stop_on_nan_loss, min_loss_scale=amp_min_loss_scale,
        )
        self.precision.prepare_modules(trainable)
        if pairs is None:
            self._groups = [self._optimizer_group(optimizer, tensors_to_optimize, trainable, params, callables)]
        else:
            self._groups = [self._optimizer_group(opt, losses, None, params, callables) for opt, losses in pairs]
        self.optimizer = self._groups[0].optimizer
        self.optimizers = [group.optimizer for group in self._groups]
        self.lr_policy = lr_policy
        self._grad_clip = params["grad_norm_clip"]
        self._stop_on_nan_loss = stop_on_nan_loss
        full_exec = DagExecutor(full_plan, callables)
        self.dag_tensors = [t for call in full_plan.calls for t in call.outputs]
        for callback in callbacks:
            callback.on_action_start()  # may restore a checkpoint, data seed included
        loader, sampler = build_loader(full_plan.data_layer, self.dist, True, self.data_seed, self.device)
        self.batches_per_epoch = len(loader) if hasattr(loader, "__len__") else None
        if self.batches_per_epoch == 0:
            raise ValueError(no_batch_message(full_plan.data_layer, self.dist.world_size))
        batches = on_device(loader, self.device)
        profiler = profiler_for(profile, callbacks, self, [g.executor for g in self._groups] + [full_exec],
                                profile_dir)
        if profiler is not None:
            batches = profiler.timed_batches(batches)
        loop = TrainLoop(callbacks, full_exec, bps, self.precision.autocast() if self.precision.casts else None,
                          profiler, math.inf if max_steps is None else max_steps)
        for group in self._groups:
            group.optimizer.zero_grad(set_to_none=True)
        with _modes(full_plan.modules, True), tqdm(disable=not self.dist.is_main, leave=False) as loop.progress:
            while self.step < loop.max_steps and (num_epochs is None or self.epoch_num < num_epochs):
                if sampler is not None:
                    sampler.set_epoch(self.epoch_num)
                    sampler.skip_next(self.batch_in_epoch * full_plan.data_layer.batch_size)
                if not self._train_epoch(batches, loop):
                    raise ValueError(no_batch_message(full_plan.data_layer, self.dist.world_size))
                if self.step >= loop.max_steps and self.batch_in_epoch < (self.batches_per_epoch or 0):
                    break
                for callback in callbacks:
                    callback.on_epoch_end()
                self.epoch_num += 1
                self.batch_in_epoch = 0
        if profiler is not None:
            profiler.finish()
        if self.precision.skipped_steps and self.logger:
            self.logger.info(f"{self.precision.skipped_steps} step(s) skipped for non-finite gradients")
        for callback in callbacks:
            callback.on_action_end()
        self.registered_tensors = {}

    def _train_epoch(self, batches, loop):
        """Train on the (rest of the) epoch until it ends or ``max_steps``; False if it had no batch at all."""
        for callback in loop.callbacks:
            callback.on_epoch_start()
        if self._grad_averager is not None:
            self._grad_averager.refresh()  # a callback may have (un)frozen weights
        started_at = self.batch_in_epoch
        progress = loop.progress
        progress.reset(total=self.batches_per_epoch)
        progress.set_description(f"Epoch {self.epoch_num}", refresh=False)
        progress.update(self.batch_in_epoch)
        for batch in batches:
            progress.update()
            if self._train_batch(batch, loop) and self.step >= loop.max_steps:
                break
        return not self.batch_in_epoch == started_at == 0

    def _train_batch(self, batch, loop):
        """Hooks, forward/backward per optimizer group, and on a step's last micro-batch the optimizer
        steps and the step's callbacks; returns whether a step was completed."""
        profiler = loop.profiler
        if profiler is not None:
            profiler.enter("callbacks")
        self.batch_in_epoch += 1
        last_micro = loop.batches_per_step == 1 or self.batch_in_epoch % loop.batches_per_step == 0
        if last_micro:
            for callback in loop.callbacks:
                callback.on_iteration_start()
        for callback in loop.batch_callbacks:
            callback.on_batch_start()
        wanted = last_micro and any(cb.wants_values(self.step + 1) for cb in loop.value_callbacks)
        for group in self._groups:
            if profiler is not None:
                profiler.enter("forward_backward")
            executor = loop.full_executor if wanted and group is self._groups[-1] else group.executor
            if last_micro or not self._ddp_wrappers:
                values = self._forward_backward(executor, batch, group, loop)
            else:
                with self._no_sync():
                    values = self._forward_backward(executor, batch, group, loop)
            if last_micro:
                if profiler is not None:
                    profiler.enter("optimizer")
                self._optimizer_step(group)
        for callback in loop.batch_callbacks:
            callback.on_batch_end()
        if not last_micro:
            return False
        self.step += 1
        if profiler is not None:
            profiler.enter("callbacks")
        self.registered_tensors = values
        for callback in loop.callbacks:
            callback.on_iteration_end()
        return True

    def _optimizer_group(self, optimizer, losses, modules, params, callables):
        """An :class:`OptimizerGroup` for ``optimizer`` (a name, an instance or None) and its losses.

        A named optimizer is built over ``modules``, or over the trainable modules
        of the losses' DAG when ``modules`` is None.
        """
        losses = [losses] if isinstance(losses, NmTensor) else list(losses)
        plan = plan_graph(losses, "the losses of an optimizer")
        if not isinstance(optimizer, torch.optim.Optimizer):
            if modules is None:
                modules = [m for m in plan.modules if isinstance(m, TrainableNM)]
            optimizer = self.create_optimizer(optimizer or "sgd", modules, dict(params["optimizer_params"], lr=params["lr"]))
        _, optimizer = self.precision.wrap_optimizer(modules or [], optimizer)
        return OptimizerGroup(optimizer, [t.unique_name for t in losses], DagExecutor(plan, callables))

    def _forward_backward(self, executor, batch, group, loop):
        """Forward one batch under the precision context, backward the group's summed losses; returns the values."""
        if loop.autocast is None:
            values = executor.run(batch)
        else:
            with loop.autocast:
                values = executor.run(batch)
        keys = group.loss_keys
        loss = values[keys[0]]
        for key in keys[1:]:
            loss = loss + values[key]
        bps = loop.batches_per_step
        self.precision.backward(loss / bps if bps > 1 else loss, group.optimizer)
        return values

    @contextlib.contextmanager
    def _no_sync(self):
        """Suspend DDP's gradient all-reduce in every wrapper (micro-batches before a step's last)."""
        with contextlib.ExitStack() as stack:
            for wrapper in self._ddp_wrappers:
                stack.enter_context(wrapper.no_sync())
            yield

    def _optimizer_step(self, group):
        """Average gradients across ranks, agree on skipping, set the policy's lr, step the group's optimizer."""
        probe = self.precision.take_probe()
        if probe is not None and self.dist.is_distributed:
            probe = probe.float().reshape(1) * 0  # NaN where the loss was not finite
        if self._grad_averager is not None:
            self._grad_averager.after_backward(probe)
        elif probe is not None:
            self.dist.sum_over_ranks(probe)
        optimizer = group.optimizer
        if self.lr_policy is not None:
            for param_group, initial in zip(optimizer.param_groups, group.initial_lrs):
                param_group["lr"] = self.lr_policy(initial, self.step, self.epoch_num)
        stepped = self.precision.step(optimizer, self._grad_clip, probe)
        optimizer.zero_grad(set_to_none=True)
        if not stepped:
            if self._stop_on_nan_loss:
                raise TrainingStopped(
                    f"non-finite loss or gradients at step {self.step + 1} on some rank; stopping (stop_on_nan_loss)"
                )
            if self.logger and self.dist.is_main:
                self.logger.warning(f"step {self.step + 1} skipped: non-finite loss or gradients on some rank "
                                    f"({self.precision.skipped_steps} skipped so far)")

    # ------------------------------------------------------------------ eval / infer
    def _eval_setup(self, tensors):
        key = tuple(id(t) for t in tensors)
        if key not in self._eval_cache:
            plan = plan_graph(tensors, "the evaluated tensors")
            self._place(plan.modules)
            loader, _ = build_loader(plan.data_layer, self.dist, False, device=self.device)
            self._eval_cache[key] = (plan, DagExecutor(plan), loader)
        return self._eval_cache[key]

    def _batches(self, plan, loader, use_cache, cache):
        if use_cache:
            if self._infer_cache is None:
                raise ValueError("infer(use_cache=True) needs an earlier infer(cache=True)")
            yield from self._infer_cache
            return
        stored = [] if cache else None
        desc = f"Evaluating {plan.data_layer.name}"
        for batch in tqdm(loader, desc=desc, disable=not self.dist.is_main, leave=False):
            if stored is not None:
                stored.append(batch)
            yield batch
        if stored is not None:
            self._infer_cache = stored

    def evaluate(self, tensors, use_cache=False, cache=False, offload_to_cpu=True):
        """Values of ``tensors`` for every batch of their data layer, from every rank.

        Returns a list with, per batch, ``{unique_name: value}``; in a
        distributed job the batches of rank 0 come first, then rank 1, ...
        """
        plan, executor, loader = self._eval_setup(tensors)
        keys = [t.unique_name for t in tensors]
        results = []
        autocast = self.precision.autocast() if self.precision else contextlib.nullcontext()
        with _modes(plan.modules, False), torch.no_grad():
            for batch in self._batches(plan, loader, use_cache, cache):
                if self.device.type != "cpu":
                    batch = move_to_device(batch, self.device, non_blocking=True)
                with autocast:
                    values = executor.run(batch)
                kept = {k: values[k] for k in keys}
                if offload_to_cpu or self.dist.is_distributed:
                    kept = {k: move_to_device(v, "cpu") for k, v in kept.items()}
                results.append(kept)
        if not self.dist.is_distributed:
            return results
        return [batch for rank_batches in self.dist.gather_objects(results) for batch in rank_batches]

    def infer(self, tensors, checkpoint_dir=None, ckpt_pattern="", verbose=True, cache=False,
              use_cache=False, offload_to_cpu=True, modules_to_restore=None):
        """Per requested tensor, the list of its per-batch values."""
        if checkpoint_dir:
            modules = modules_to_restore or [
                m for m in plan_graph(tensors, "the inferred tensors").modules if isinstance(m, TrainableNM)
            ]
            trainer_state.restore_modules(modules, checkpoint_dir, ckpt_pattern, self.device, self.logger if verbose else None)
        batches = self.evaluate(tensors, use_cache=use_cache, cache=cache, offload_to_cpu=offload_to_cpu)
        return [[batch[t.unique_name] for batch in batches] for t in tensors]

    # ------------------------------------------------------------------ checkpoints
    def save_checkpoint(self, folder, checkpoints_to_keep=4):
        """Write the trained modules and trainer state for the current step (rank 0 only)."""
        if self.dist.is_main:
            trainer_state.save(self, folder, checkpoints_to_keep)

    def restore_checkpoint(self, folder, force_load=False, explicit=True):
        """Load the newest complete checkpoint set from ``folder``; returns its step or None."""
        return trainer_state.restore(self, folder, force_load, explicit)
