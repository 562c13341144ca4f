"""The one place a data layer becomes a batch iterable (DataLoader + sampler)."""

import torch
from torch.utils.data import DataLoader

from .distributed import EpochSampler, ShardSampler

__all__ = ["build_loader"]


def build_loader(data_layer, dist_ctx, training, seed=0, pin_memory=False):
    """Return ``(iterable, sampler)`` for ``data_layer``.

    Training uses an :class:`EpochSampler` (shuffled per epoch when the layer
    shuffles, sharded across ranks); evaluation a :class:`ShardSampler` so each
    sample is seen once. A layer with its own ``data_iterator`` is used as is
    (sampler ``None``). Workers persist across epochs. Loaders draw worker
    seeds from their own generator, never from the global RNG, so evaluating or
    starting an epoch does not change the random stream of training (dropout).
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
        sampler = ShardSampler(len(dataset), dist_ctx.world_size, dist_ctx.global_rank)
        generator = torch.Generator().manual_seed(seed + dist_ctx.global_rank)
    workers = data_layer.num_workers
    loader = DataLoader(
        dataset,
        batch_size=data_layer.batch_size,
        sampler=sampler,
        collate_fn=getattr(dataset, "collate_fn", None),
        num_workers=workers,
        persistent_workers=workers > 0,
        pin_memory=pin_memory and torch.cuda.is_available(),
        drop_last=training and data_layer.drop_last,
        generator=generator,
    )
    return loader, sampler
