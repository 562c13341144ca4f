"""torch.distributed for the runner: process group, DDP wrapping, samplers, gathering.

A job started by ``torchrun`` (``LOCAL_RANK``, ``RANK``, ``WORLD_SIZE``) or by
``python -m torch.distributed.launch`` (``--local_rank``) joins one process
group: nccl when the placement is a GPU, gloo on CPU.
"""

import atexit
import collections
import datetime
import os
import pickle

import torch
import torch.distributed as dist
from torch.utils.data import DistributedSampler, Sampler

__all__ = ["DistributedContext", "EpochSampler", "ShardSampler"]


def _env_int(name, default=None):
    value = os.environ.get(name)
    return default if value in (None, "") else int(value)


class DistributedContext:
    """Rank facts of this process and the collective operations the runner needs."""

    def __init__(self, local_rank=None, use_gpu=False, timeout_s=None):
        env_world = _env_int("WORLD_SIZE", 1)
        if local_rank is None:
            local_rank = _env_int("LOCAL_RANK")
        self.local_rank = local_rank
        self.world_size = env_world if local_rank is not None else 1
        self.global_rank = _env_int("RANK", local_rank or 0) if self.world_size > 1 else 0
        self.backend = "nccl" if use_gpu else "gloo"
        if self.world_size > 1 and not dist.is_initialized():
            if use_gpu:
                torch.cuda.set_device(local_rank)
            timeout = datetime.timedelta(seconds=timeout_s or _env_int("NEMO_DIST_TIMEOUT_S", 600))
            dist.init_process_group(backend=self.backend, init_method="env://", timeout=timeout)
            atexit.register(_destroy_process_group)
        if dist.is_initialized():
            self.world_size = dist.get_world_size()
            self.global_rank = dist.get_rank()

    @property
    def is_distributed(self):
        return self.world_size > 1

    @property
    def is_main(self):
        return self.global_rank == 0

    def prepare_training(self, modules, gradient_predivide=False):
        """Make gradients agree across ranks: ``(ddp_wrappers, averager)``.

        On nccl each module holding trainable weights is wrapped in
        DistributedDataParallel (``{module: wrapper}``); on gloo a
        :class:`GradientAverager` gives the same result without DDP's reducer,
        which now and then aborts a CPU process in torch 2.13.
        """
        trainable = [m for m in modules if any(p.requires_grad for p in m.parameters())]
        if not self.is_distributed or not trainable:
            return {}, None
        if self.backend != "nccl":
            return {}, GradientAverager(trainable, self.world_size, gradient_predivide)
        wrappers = {}
        for module in trainable:
            ddp = torch.nn.parallel.DistributedDataParallel(
                module, device_ids=[self.local_rank], broadcast_buffers=False
            )
            if gradient_predivide:
                ddp.register_comm_hook(None, _predivide_hook(self.world_size))
            wrappers[module] = ddp
        return wrappers, None

    def gather_objects(self, obj):
        """Every rank's ``obj`` (picklable) in rank order (just ``[obj]`` when not distributed)."""
        if not self.is_distributed:
            return [obj]
        device = torch.device("cuda", torch.cuda.current_device()) if self.backend == "nccl" else torch.device("cpu")
        payload = torch.frombuffer(bytearray(pickle.dumps(obj)), dtype=torch.uint8).to(device)
        size = torch.tensor([payload.numel()], dtype=torch.int64, device=device)
        sizes = [torch.empty_like(size) for _ in range(self.world_size)]
        _collective(dist.all_gather, sizes, size)
        longest = max(int(n) for n in sizes)
        padded = torch.zeros(longest, dtype=torch.uint8, device=device)
        padded[: payload.numel()] = payload
        chunks = [torch.empty_like(padded) for _ in range(self.world_size)]
        _collective(dist.all_gather, chunks, padded)
        return [pickle.loads(chunk[: int(n)].cpu().numpy().tobytes()) for chunk, n in zip(chunks, sizes)]

    def subgroup(self, size):
        """This rank's process group among consecutive groups of ``size`` ranks (e.g. for SyncBatchNorm)."""
        if self.world_size % size:
            raise ValueError(f"synced_batchnorm_groupsize={size} does not divide the world size {self.world_size}")
        group, _ = dist.new_subgroups(size)
        return group

    def sum_over_ranks(self, tensor):
        """All-reduce ``tensor`` (sum) in place."""
        if self.is_distributed:
            _collective(dist.all_reduce, tensor)
        return tensor

    def all_true(self, flag):
        """Whether ``flag`` holds on every rank."""
        if not self.is_distributed:
            return bool(flag)
        return all(self.gather_objects(bool(flag)))


# Handles of the latest collectives. A gloo worker thread drops its reference to a
# finished work right after signalling it; were that the last reference while the
# interpreter shuts down, freeing the work's tensors would need the GIL and abort the
# process ("terminate called without an active exception"). Holding the handles here
# makes the main thread free them instead.
_RECENT_WORK = collections.deque(maxlen=4)


def _collective(operation, *args, **kwargs):
    """Run a torch.distributed collective to completion, keeping its work handle."""
    work = operation(*args, async_op=True, **kwargs)
    work.wait()
    _RECENT_WORK.append(work)


def _destroy_process_group():
    """Free the kept work handles and tear the group down before interpreter exit."""
    _RECENT_WORK.clear()
    if dist.is_initialized():
        dist.destroy_process_group()


def _predivide_hook(world_size):
    """Divide gradients by world size before the all-reduce (fp16 overflow guard)."""

    def hook(state, bucket):
        tensor = bucket.buffer().div_(world_size)
        return dist.all_reduce(tensor, async_op=True).get_future().then(lambda fut: fut.value()[0])

    return hook


def _coalesced(tensors, operation):
    """Apply ``operation`` to one flat buffer per dtype holding ``tensors``, then copy back."""
    by_dtype = {}
    for tensor in tensors:
        by_dtype.setdefault(tensor.dtype, []).append(tensor)
    for group in by_dtype.values():
        flat = torch.cat([t.reshape(-1) for t in group])
        operation(flat)
        for tensor, chunk in zip(group, flat.split([t.numel() for t in group])):
            tensor.copy_(chunk.view_as(tensor))


class GradientAverager:
    """DistributedDataParallel's result by explicit collectives.

    At creation every weight and buffer is broadcast from rank 0; after each
    step's backward the gradients are averaged over ranks (one all-reduce per
    dtype; divided before it with ``predivide``). Buffers such as BatchNorm
    statistics stay per rank afterwards, as with DDP's ``broadcast_buffers=False``.
    """

    def __init__(self, modules, world_size, predivide=False):
        self.world_size = world_size
        self.predivide = predivide
        self.modules = modules
        self.refresh()
        buffers = list(dict.fromkeys(b for m in modules for b in m.buffers()))
        state = list(dict.fromkeys(t for m in modules for t in m.parameters())) + buffers
        with torch.no_grad():
            _coalesced(state, lambda flat: _collective(dist.broadcast, flat, src=0))

    def refresh(self):
        """Take the weights that train now (after a freeze or unfreeze)."""
        self.params = list(dict.fromkeys(p for m in self.modules for p in m.parameters() if p.requires_grad))

    def after_backward(self, probe=None):
        """Average the gradients over ranks; a float ``probe`` tensor rides along in the same
        all-reduce (it ends NaN on every rank when it was NaN on some rank)."""
        for param in self.params:
            if param.grad is None:
                param.grad = torch.zeros_like(param)
        extra = [] if probe is None else [probe]

        def average(flat):
            if self.predivide:
                flat.div_(self.world_size)
            _collective(dist.all_reduce, flat)
            if not self.predivide:
                flat.div_(self.world_size)

        with torch.no_grad():
            _coalesced([p.grad for p in self.params] + extra, average)


class EpochSampler(DistributedSampler):
    """A DistributedSampler (also for one process) that can resume mid-epoch.

    The order of an epoch depends only on ``seed`` and the epoch, so a resumed
    run sees the same data order; ``skip_next(n)`` drops the first ``n`` samples
    of the next epoch this sampler is iterated for. ``generator`` (reseeded by
    ``set_epoch``) is meant for the DataLoader: its worker seeds then come from
    (seed, epoch, rank) instead of the global RNG, which stays untouched.
    """

    def __init__(self, dataset, num_replicas, rank, shuffle, seed, drop_last=False):
        super().__init__(dataset, num_replicas=num_replicas, rank=rank, shuffle=shuffle, seed=seed, drop_last=drop_last)
        self._skip = 0
        self.generator = torch.Generator()
        self.set_epoch(0)

    def set_epoch(self, epoch):
        super().set_epoch(epoch)
        self.generator.manual_seed(hash((self.seed, epoch, self.rank)) % 2**63)  # int hashes are not salted

    def skip_next(self, num_samples):
        self._skip = num_samples

    def __iter__(self):
        indices = list(super().__iter__())
        skip, self._skip = self._skip, 0
        if getattr(self.dataset, "keyed_by_epoch", False):
            return iter([(self.epoch, index) for index in indices[skip:]])
        return iter(indices[skip:])

    def __len__(self):
        return self.num_samples - self._skip


class ShardSampler(Sampler):
    """Every ``world_size``-th sample from ``rank``, in order and without padding.

    Used for evaluation and inference so that each sample is counted once;
    ``keyed`` gives ``(0, index)`` keys (see :class:`EpochSampler`).
    """

    def __init__(self, dataset_len, num_replicas, rank, keyed=False):
        self.indices = range(rank, dataset_len, num_replicas)
        self.keyed = keyed

    def __iter__(self):
        if self.keyed:
            return iter([(0, index) for index in self.indices])
        return iter(self.indices)

    def __len__(self):
        return len(self.indices)

