"""torch.distributed for the runner: process group, DDP wrapping, samplers, gathering.

A job started by ``torchrun`` (``LOCAL_RANK``, ``RANK``, ``WORLD_SIZE``) or by
``python -m torch.distributed.launch`` (``--local_rank``) joins one process
group: nccl when the placement is a GPU, gloo on CPU.
"""

import atexit
import datetime
import os

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

    def wrap(self, module, gradient_predivide=False, find_unused=False):
        """Wrap a module holding trainable weights in DistributedDataParallel."""
        if not self.is_distributed or not any(p.requires_grad for p in module.parameters()):
            return module
        device_ids = [self.local_rank] if self.backend == "nccl" else None
        ddp = torch.nn.parallel.DistributedDataParallel(
            module, device_ids=device_ids, find_unused_parameters=find_unused
        )
        if gradient_predivide:
            ddp.register_comm_hook(None, _predivide_hook(self.world_size))
        return ddp

    def barrier(self):
        if self.is_distributed:
            dist.barrier()

    def gather_objects(self, obj):
        """Every rank's ``obj`` in rank order (just ``[obj]`` when not distributed)."""
        if not self.is_distributed:
            return [obj]
        gathered = [None] * self.world_size
        dist.all_gather_object(gathered, obj)
        return gathered

    def all_true(self, flag):
        """Whether ``flag`` holds on every rank."""
        if not self.is_distributed:
            return bool(flag)
        return all(self.gather_objects(bool(flag)))


def _destroy_process_group():
    """Tear the group down before interpreter exit (a live gloo thread would abort the process)."""
    if dist.is_initialized():
        dist.destroy_process_group()


def _predivide_hook(world_size):
    """Divide gradients by world size before the all-reduce (fp16 overflow guard)."""

    def hook(state, bucket):
        tensor = bucket.buffer().div_(world_size)
        return dist.all_reduce(tensor, async_op=True).get_future().then(lambda fut: fut.value()[0])

    return hook


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
        return iter(indices[skip:])

    def __len__(self):
        return self.num_samples - self._skip


class ShardSampler(Sampler):
    """Every ``world_size``-th sample from ``rank``, in order and without padding.

    Used for evaluation and inference so that each sample is counted once.
    """

    def __init__(self, dataset_len, num_replicas, rank):
        self.indices = range(rank, dataset_len, num_replicas)

    def __iter__(self):
        return iter(self.indices)

    def __len__(self):
        return len(self.indices)

