"""SpecAugment-style masking of spectrograms [B, D, T] (active in training mode only)."""
import random

import torch
from torch import nn


def _spans(rng, count, max_width, size):
    """``count`` random ``(start, width)`` spans inside ``[0, size)``, widths in [0, max_width]."""
    spans = []
    for _ in range(count):
        width = rng.randint(0, min(max_width, size))
        spans.append((rng.randint(0, size - width), width))
    return spans


class SpecAugment(nn.Module):
    """Zero ``freq_masks`` frequency bands and ``time_masks`` time spans per utterance.

    Args:
        freq_masks, time_masks: number of masks of each kind.
        freq_width: maximum band width in features.
        time_width: maximum span in frames; a float in (0, 1) is a fraction of the
            utterance length.
        rng: a ``random.Random`` for reproducible masks.
    """

    def __init__(self, freq_masks=0, time_masks=0, freq_width=10, time_width=10, rng=None):
        super().__init__()
        if isinstance(time_width, float) and not 0 < time_width < 1:
            raise ValueError(f"a float time_width must be in (0, 1), got {time_width}")
        self.freq_masks = freq_masks
        self.time_masks = time_masks
        self.freq_width = freq_width
        self.time_width = time_width
        self.rng = rng if rng is not None else random.Random()

    @torch.no_grad()
    def forward(self, x, length=None):
        """Masked copy of ``x [B, D, T]``; ``length [B]`` limits time masks to valid frames."""
        if not self.training or (self.freq_masks == 0 and self.time_masks == 0):
            return x
        batch, features, frames = x.shape
        lengths = [frames] * batch if length is None else [int(n) for n in length]
        mask = torch.zeros(x.shape, dtype=torch.bool)
        for i in range(batch):
            for start, width in _spans(self.rng, self.freq_masks, self.freq_width, features):
                mask[i, start : start + width, :] = True
            max_width = self.time_width
            if isinstance(max_width, float):
                max_width = int(max_width * lengths[i])
            for start, width in _spans(self.rng, self.time_masks, max_width, lengths[i]):
                mask[i, :, start : start + width] = True
        return x.masked_fill(mask.to(x.device), 0.0)


class SpecCutout(nn.Module):
    """Zero ``rect_masks`` rectangles per utterance, up to ``rect_time`` frames by ``rect_freq`` features.

    Args:
        rect_masks: number of rectangles.
        rect_time, rect_freq: maximum rectangle size along time and frequency.
        rng: a ``random.Random`` for reproducible masks.
    """

    def __init__(self, rect_masks=0, rect_time=5, rect_freq=20, rng=None):
        super().__init__()
        self.rect_masks = rect_masks
        self.rect_time = rect_time
        self.rect_freq = rect_freq
        self.rng = rng if rng is not None else random.Random()

    @torch.no_grad()
    def forward(self, x):
        """Masked copy of ``x [B, D, T]``."""
        if not self.training or self.rect_masks == 0:
            return x
        batch, features, frames = x.shape
        mask = torch.zeros(x.shape, dtype=torch.bool)
        for i in range(batch):
            for _ in range(self.rect_masks):
                (f0, fw), = _spans(self.rng, 1, self.rect_freq, features)
                (t0, tw), = _spans(self.rng, 1, self.rect_time, frames)
                mask[i, f0 : f0 + fw, t0 : t0 + tw] = True
        return x.masked_fill(mask.to(x.device), 0.0)
