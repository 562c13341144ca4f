"""SpecAugment-style masking of spectrograms [B, D, T] (active in training mode only).

Masks are built on the batch's device for the whole batch at once, without reading
anything back to the host. Random numbers come from torch's default generator of that
device (seeded by the factory's ``random_seed`` and saved in trainer checkpoints) or from
an explicit ``torch.Generator``.
"""
import random

import torch
from torch import nn


def as_generator(rng):
    """``None`` or a ``torch.Generator`` unchanged; a legacy ``random.Random`` seeds a new CPU generator once."""
    if rng is None or isinstance(rng, torch.Generator):
        return rng
    if isinstance(rng, random.Random):
        return torch.Generator().manual_seed(rng.getrandbits(63))
    raise TypeError(f"rng must be None, a torch.Generator or a random.Random, got {type(rng).__name__}")


def _uniform(shape, device, generator):
    """Uniform [0, 1) numbers on ``device``, drawn from ``generator`` (default: the device's own)."""
    if generator is None:
        return torch.rand(shape, device=device)
    return torch.rand(shape, device=generator.device, generator=generator).to(device, non_blocking=True)


def _span_masks(uniform, max_width, size, positions):
    """Masks ``[B, n, positions]`` of ``n`` random spans per row inside ``[0, size)``.

    ``uniform`` is ``[B, n, 2]``; span ``k`` of row ``b`` has a width uniform in
    ``[0, min(max_width, size)]`` and a start uniform in ``[0, size - width]`` (integers).
    ``max_width`` and ``size`` are ints or integer tensors of ``[B]`` (size) or ``[B, 1]`` (max_width).
    """
    size = torch.as_tensor(size, device=uniform.device).expand(uniform.shape[0]).unsqueeze(1)
    limit = torch.minimum(torch.as_tensor(max_width, device=uniform.device), size)
    width = torch.minimum((uniform[..., 0] * (limit + 1)).floor().long(), limit)
    room = size - width
    start = torch.minimum((uniform[..., 1] * (room + 1)).floor().long(), room)
    index = torch.arange(positions, device=uniform.device)
    return (index >= start.unsqueeze(-1)) & (index < (start + width).unsqueeze(-1))


class SpecAugment(nn.Module):
    """Zero ``freq_masks`` frequency bands and ``time_masks`` time spans per utterance.

    Args:
        freq_masks, time_masks: number of masks of each kind.
        freq_width: maximum band width in features.
        time_width: maximum span in frames; a float in (0, 1) is a fraction of each
            utterance's valid length.
        rng: ``None`` (torch's default generator of the batch's device), a
            ``torch.Generator``, or a legacy ``random.Random`` that seeds a private generator.
    """

    def __init__(self, freq_masks=0, time_masks=0, freq_width=10, time_width=10, rng=None):
        super().__init__()
        if isinstance(time_width, float) and not 0 < time_width < 1:
            raise ValueError(f"a float time_width must be in (0, 1), got {time_width}")
        self.freq_masks = freq_masks
        self.time_masks = time_masks
        self.freq_width = freq_width
        self.time_width = time_width
        self.generator = as_generator(rng)

    @torch.no_grad()
    def forward(self, x, length=None):
        """Masked copy of ``x [B, D, T]``; ``length [B]`` limits time masks to valid frames."""
        if not self.training or (self.freq_masks == 0 and self.time_masks == 0):
            return x
        batch, features, frames = x.shape
        uniform = _uniform((batch, self.freq_masks + self.time_masks, 2), x.device, self.generator)
        freq = _span_masks(uniform[:, : self.freq_masks], self.freq_width, features, features).any(dim=1)
        valid = frames if length is None else length.to(x.device).clamp(0, frames)
        max_width = self.time_width
        if isinstance(max_width, float):
            max_width = (torch.as_tensor(valid, device=x.device) * max_width).floor().long().reshape(-1, 1)
        time = _span_masks(uniform[:, self.freq_masks :], max_width, valid, frames).any(dim=1)
        return x.masked_fill(freq.unsqueeze(2) | time.unsqueeze(1), 0.0)


class SpecCutout(nn.Module):
    """Zero ``rect_masks`` rectangles per utterance, up to ``rect_time`` frames by ``rect_freq`` features.

    Args:
        rect_masks: number of rectangles.
        rect_time, rect_freq: maximum rectangle size along time and frequency.
        rng: as for :class:`SpecAugment`.
    """

    def __init__(self, rect_masks=0, rect_time=5, rect_freq=20, rng=None):
        super().__init__()
        self.rect_masks = rect_masks
        self.rect_time = rect_time
        self.rect_freq = rect_freq
        self.generator = as_generator(rng)

    @torch.no_grad()
    def forward(self, x):
        """Masked copy of ``x [B, D, T]``."""
        if not self.training or self.rect_masks == 0:
            return x
        batch, features, frames = x.shape
        uniform = _uniform((batch, self.rect_masks, 2, 2), x.device, self.generator)
        freq = _span_masks(uniform[:, :, 0], self.rect_freq, features, features)  # [B, r, D]
        time = _span_masks(uniform[:, :, 1], self.rect_time, frames, frames)  # [B, r, T]
        covering = torch.bmm(freq.transpose(1, 2).to(x.dtype), time.to(x.dtype))  # rectangles over each cell
        return x.masked_fill(covering > 0, 0.0)
