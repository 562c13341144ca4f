"""Diagonal priors over attention alignments ``[B, steps, T_in]``: the guided-attention
penalty of Tachibana et al. (2017) and the share of attention weight near the diagonal."""
import torch

from .layers import decoder_steps, lengths_to_mask


def diagonal_distance(n_steps, n_symbols, step_lengths, symbol_lengths):
    """``|s / S - n / N|`` per item, step and symbol (cell centres), and the mask of valid cells.

    Returns ``distance [B, n_steps, n_symbols]`` and ``valid`` (bool, same shape).
    """
    steps = step_lengths.to(torch.float32).clamp(min=1)[:, None, None]
    symbols = symbol_lengths.to(torch.float32).clamp(min=1)[:, None, None]
    s = (torch.arange(n_steps, device=step_lengths.device, dtype=torch.float32)[None, :, None] + 0.5) / steps
    n = (torch.arange(n_symbols, device=step_lengths.device, dtype=torch.float32)[None, None, :] + 0.5) / symbols
    valid = lengths_to_mask(step_lengths, n_steps)[:, :, None] & lengths_to_mask(symbol_lengths, n_symbols)[:, None, :]
    return (s - n).abs(), valid


def guided_attention_penalty(alignments, symbol_lengths, frame_lengths, n_frames_per_step, sigma):
    """Mean over valid decoder steps of ``sum_n A[s, n] * (1 - exp(-d^2 / (2 sigma^2)))``."""
    step_lengths = decoder_steps(frame_lengths, n_frames_per_step).clamp(max=alignments.shape[1])
    distance, valid = diagonal_distance(alignments.shape[1], alignments.shape[2], step_lengths, symbol_lengths)
    weights = (1.0 - torch.exp(-distance.pow(2) / (2.0 * sigma**2))) * valid
    return (alignments * weights).sum() / step_lengths.sum().clamp(min=1)


def diagonal_share(alignments, symbol_lengths, frame_lengths, n_frames_per_step, width=0.2):
    """Share of the attention weight of the valid decoder steps lying within ``width`` of the diagonal."""
    step_lengths = decoder_steps(frame_lengths, n_frames_per_step).clamp(max=alignments.shape[1])
    distance, valid = diagonal_distance(alignments.shape[1], alignments.shape[2], step_lengths, symbol_lengths)
    total = (alignments * valid).sum()
    return (alignments * (valid & (distance <= width))).sum() / total.clamp(min=1e-12)
