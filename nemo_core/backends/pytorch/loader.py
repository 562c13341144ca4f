"""The one place a data layer becomes a batch iterable (DataLoader + sampler)."""

import os

import torch
from torch.utils.data import DataLoader

from .distributed import EpochSampler, ShardSampler
from .executor import move_to_device

__all__ = ["build_loader", "default_num_workers", "on_device", "CudaPrefetcher"]

MAX_AUTO_WORKERS = 4


def default_num_workers(device):
    """Loader workers for a data layer that does not say: none on CPU, a few per GPU process."""
    if torch.device(device).type != "cuda":
        return 0
    per_node = max(1, torch.cuda.device_count())
    return max(1, min(MAX_AUTO_WORKERS, (os.cpu_count() or 1) // per_node))


def build_loader(data_layer, dist_ctx, training, seed=0, device="cpu"):
    """Return ``(iterable, sampler)`` for ``data_layer``.

    Training uses an :class:`EpochSampler` (shuffled per epoch when the layer
    shuffles, sharded across ranks); evaluation a :class:`ShardSampler` so each
    sample is seen once. A layer with its own ``data_iterator`` is used as is
    (sampler ``None``). Workers persist across epochs. Loaders draw worker
    seeds from their own generator, never from the global RNG, so evaluating or
    starting an epoch does not change the random stream of training (dropout).
    A layer whose ``num_workers`` is None gets :func:`default_num_workers`;
    memory is pinned when batches go to a GPU.
    """
    if data_layer.data_iterator is not None:
        return data_layer.data_iterator, None
    dataset = data_layer.dataset
    if dataset is None:
        raise ValueError(f"data layer {data_layer.name} has neither a dataset nor a data_iterator")
    if not data_layer.batch_size:
        raise ValueError(f"data layer {data_layer.name}: batch_size must be a positive integer")
    if training:
        sampler = EpochSampler(
            dataset,
            num_replicas=dist_ctx.world_size,
            rank=dist_ctx.global_rank,
            shuffle=data_layer.shuffle,
            seed=seed,
            drop_last=data_layer.drop_last,
        )
        generator = sampler.generator
    else:
        sampler = ShardSampler(len(dataset), dist_ctx.world_size, dist_ctx.global_rank,
                               keyed=getattr(dataset, "keyed_by_epoch", False))
        generator = torch.Generator().manual_seed(seed + dist_ctx.global_rank)
    workers = data_layer.num_workers
    if workers is None:
        workers = default_num_workers(device)
    loader = DataLoader(
        dataset,
        batch_size=data_layer.batch_size,
        sampler=sampler,
        collate_fn=getattr(dataset, "collate_fn", None),
        num_workers=workers,
        persistent_workers=workers > 0,
        pin_memory=torch.device(device).type == "cuda",
        drop_last=training and data_layer.drop_last,
        generator=generator,
    )
    return loader, sampler


def on_device(batches, device):
    """``batches`` as they should reach the executor: as they are on CPU; on a GPU through a
    :class:`CudaPrefetcher`."""
    if torch.device(device).type != "cuda":
        return batches
    return CudaPrefetcher(batches, torch.device(device))


_END = object()


class CudaPrefetcher:
    """Iterate ``batches``, copying the next batch to ``device`` on a side stream while the
    current one is computed; the compute stream waits for the copy before using it."""

    def __init__(self, batches, device):
        self.batches = batches
        self.device = device

    def __len__(self):
        return len(self.batches)

    def __iter__(self):
        stream = torch.cuda.Stream(device=self.device)
        iterator = iter(self.batches)

        def copy_next():
            batch = next(iterator, _END)
            if batch is _END:
                return _END
            with torch.cuda.stream(stream):
                return move_to_device(batch, self.device, non_blocking=True)

        ahead = copy_next()
        while ahead is not _END:
            compute = torch.cuda.current_stream(self.device)
            compute.wait_stream(stream)
            _record_stream(ahead, compute)
            batch, ahead = ahead, copy_next()
            yield batch


def _record_stream(value, stream):
    """Tell the caching allocator that ``stream`` uses the tensors of ``value``."""
    if isinstance(value, torch.Tensor):
        value.record_stream(stream)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _record_stream(item, stream)
