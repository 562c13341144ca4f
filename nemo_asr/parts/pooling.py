"""Length-aware pooling over time and the classification/speaker heads (plain PyTorch)."""
import torch
from torch import nn
from torch.nn import functional as F

from .conv_blocks import init_weights, time_mask

POOLING_TYPES = ("avg", "max")
SPEAKER_POOL_MODES = ("xvector", "gram", "superVector")


def _valid(x, lengths):
    """``[B, 1, T]`` float mask of valid frames (all ones without ``lengths``) and frame counts ``[B, 1]``."""
    if lengths is None:
        mask = x.new_ones(x.shape[0], 1, x.shape[2])
    else:
        mask = time_mask(lengths, x.shape[2]).unsqueeze(1).to(x.dtype)
    return mask, mask.sum(dim=2).clamp(min=1.0)


def masked_avg_pool(x, lengths=None):
    """Mean over the valid frames of ``x [B, C, T]`` → ``[B, C]``."""
    mask, count = _valid(x, lengths)
    return (x * mask).sum(dim=2) / count


def masked_max_pool(x, lengths=None):
    """Max over the valid frames of ``x [B, C, T]`` → ``[B, C]``."""
    if lengths is None:
        return x.amax(dim=2)
    mask = time_mask(lengths, x.shape[2]).unsqueeze(1)
    return x.masked_fill(~mask, torch.finfo(x.dtype).min).amax(dim=2)


def stats_pool(x, lengths=None):
    """x-vector statistics pooling: mean and standard deviation over valid frames → ``[B, 2C]``."""
    mask, count = _valid(x, lengths)
    mean = (x * mask).sum(dim=2) / count
    var = (((x - mean.unsqueeze(2)) * mask) ** 2).sum(dim=2) / count
    return torch.cat([mean, var.clamp(min=1e-10).sqrt()], dim=1)


def gram_pool(x, lengths=None):
    """Mean outer product of the frames (a Gram matrix) over valid frames, flattened → ``[B, C*C]``."""
    mask, count = _valid(x, lengths)
    valid = x * mask
    gram = torch.bmm(valid, valid.transpose(1, 2)) / count.unsqueeze(2)
    return gram.flatten(1)


class ClassificationHead(nn.Module):
    """Pool over time, then one linear layer: ``forward(x [B, C, T], lengths) -> logits [B, classes]``
    (softmax probabilities when ``return_logits`` is False)."""

    def __init__(self, feat_in, num_classes, pooling_type="avg", return_logits=True, init_mode="xavier_uniform"):
        super().__init__()
        if pooling_type not in POOLING_TYPES:
            raise ValueError(f"Unknown pooling_type {pooling_type!r}; expected one of {POOLING_TYPES}")
        self.pool = masked_avg_pool if pooling_type == "avg" else masked_max_pool
        self.return_logits = return_logits
        self.decoder_layers = nn.Sequential(nn.Linear(feat_in, num_classes, bias=True))
        self.apply(lambda module: init_weights(module, init_mode))

    def forward(self, x, lengths=None):
        logits = self.decoder_layers(self.pool(x, lengths))
        return logits if self.return_logits else logits.softmax(dim=-1)


class SpeakerHead(nn.Module):
    """Speaker classifier: pooled statistics → two affine+BN+ReLU layers → class scores.

    ``forward(x [B, C, T], lengths) -> (logits [B, classes], embs [B, emb_sizes[0]])``; the
    embedding is the first layer's affine output (the x-vector, before its norm and ReLU).
    ``pool_mode``: 'xvector' (mean and std), 'gram' (Gram matrix), 'superVector' (both).
    With ``angular`` the logits are cosines between the last hidden vector and the class
    weights (for the angular-margin loss).
    """

    def __init__(self, feat_in, num_classes, emb_sizes=(512, 512), pool_mode="xvector", angular=False,
                 init_mode="xavier_uniform"):
        super().__init__()
        if pool_mode not in SPEAKER_POOL_MODES:
            raise ValueError(f"Unknown pool_mode {pool_mode!r}; expected one of {SPEAKER_POOL_MODES}")
        emb_sizes = [int(size) for size in emb_sizes]
        if len(emb_sizes) != 2:
            raise ValueError(f"emb_sizes must list two layer sizes, got {emb_sizes}")
        self.pool_mode = pool_mode
        pooled = {"xvector": 2 * feat_in, "gram": feat_in * feat_in, "superVector": 2 * feat_in + feat_in * feat_in}
        self.emb1 = nn.Linear(pooled[pool_mode], emb_sizes[0])
        self.mid1 = nn.Sequential(nn.BatchNorm1d(emb_sizes[0], affine=False), nn.ReLU())
        self.mid2 = nn.Sequential(nn.Linear(emb_sizes[0], emb_sizes[1]), nn.BatchNorm1d(emb_sizes[1], affine=False),
                                  nn.ReLU())
        self.angular = angular
        self.final = nn.Linear(emb_sizes[1], num_classes, bias=not angular)
        self.apply(lambda module: init_weights(module, init_mode))

    def pool(self, x, lengths=None):
        parts = []
        if self.pool_mode in ("xvector", "superVector"):
            parts.append(stats_pool(x, lengths))
        if self.pool_mode in ("gram", "superVector"):
            parts.append(gram_pool(x, lengths))
        return torch.cat(parts, dim=1)

    def forward(self, x, lengths=None):
        embs = self.emb1(self.pool(x, lengths))
        hidden = self.mid2(self.mid1(embs))
        if self.angular:
            logits = F.linear(F.normalize(hidden, dim=1), F.normalize(self.final.weight, dim=1))
        else:
            logits = self.final(hidden)
        return logits, embs
