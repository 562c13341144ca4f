"""FastSpeech (Ren et al. 2019) in plain PyTorch: feed-forward Transformer blocks, a duration
predictor and a length regulator that repeats each symbol's encoding for its number of frames."""
import math

import torch
from torch import nn

from .layers import lengths_to_mask


def sinusoid_positions(length, dim, device):
    """``[length, dim]`` sinusoidal position encodings."""
    position = torch.arange(length, device=device, dtype=torch.float32)[:, None]
    scale = torch.exp(torch.arange(0, dim, 2, device=device, dtype=torch.float32) * (-math.log(10000.0) / dim))
    table = torch.zeros(length, dim, device=device)
    table[:, 0::2] = torch.sin(position * scale)
    table[:, 1::2] = torch.cos(position * scale[: dim // 2])
    return table


class FFTBlock(nn.Module):
    """Self-attention then a two-layer convolutional feed-forward net, each residual + LayerNorm."""

    def __init__(self, d_model, n_head, d_inner, kernel_size, dropout):
        super().__init__()
        self.attention = nn.MultiheadAttention(d_model, n_head, dropout=dropout, batch_first=True)
        self.attention_norm = nn.LayerNorm(d_model)
        self.conv_in = nn.Conv1d(d_model, d_inner, kernel_size, padding=(kernel_size - 1) // 2)
        self.conv_out = nn.Conv1d(d_inner, d_model, 1)
        self.ffn_norm = nn.LayerNorm(d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x, valid):
        """``x [B, T, D]``, ``valid [B, T]`` → ``[B, T, D]`` (0 at padded positions)."""
        attended, _ = self.attention(x, x, x, key_padding_mask=~valid, need_weights=False)
        x = self.attention_norm(x + self.dropout(attended)) * valid[:, :, None]
        hidden = self.conv_out(torch.relu(self.conv_in(x.transpose(1, 2)))).transpose(1, 2)
        return self.ffn_norm(x + self.dropout(hidden)) * valid[:, :, None]


class DurationPredictor(nn.Module):
    """Two convolutions with LayerNorm, then a linear layer: log(1 + frames) per symbol ``[B, T]``."""

    def __init__(self, d_model, filter_size, kernel_size, dropout):
        super().__init__()
        self.convs = nn.ModuleList([nn.Conv1d(d_model, filter_size, kernel_size, padding=(kernel_size - 1) // 2),
                                    nn.Conv1d(filter_size, filter_size, kernel_size, padding=(kernel_size - 1) // 2)])
        self.norms = nn.ModuleList([nn.LayerNorm(filter_size), nn.LayerNorm(filter_size)])
        self.linear = nn.Linear(filter_size, 1)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x, valid):
        for conv, norm in zip(self.convs, self.norms):
            x = self.dropout(norm(torch.relu(conv(x.transpose(1, 2)).transpose(1, 2))))
        return self.linear(x).squeeze(2) * valid


def regulate_length(x, durations):
    """Repeat ``x [B, T, D]`` along time by integer ``durations [B, T]``: ``[B, sum max, D]`` and lengths."""
    ends = durations.cumsum(dim=1)
    lengths = ends[:, -1]
    frames = torch.arange(int(lengths.max().clamp(min=1)), device=x.device)
    index = torch.searchsorted(ends, frames[None, :].expand(x.shape[0], -1).contiguous(), right=True)
    index = index.clamp(max=x.shape[1] - 1)
    out = x.gather(1, index[:, :, None].expand(-1, -1, x.shape[2]))
    return out * lengths_to_mask(lengths, frames.shape[0])[:, :, None], lengths


class FastSpeechNet(nn.Module):
    """Embedding + encoder FFT blocks → durations → length regulator → decoder FFT blocks → mels."""

    def __init__(self, n_src_vocab, pad_id, n_mels, d_model, encoder_n_layer, encoder_head, encoder_conv1d_filter_size,
                 decoder_n_layer, decoder_head, decoder_conv1d_filter_size, fft_conv1d_kernel,
                 duration_predictor_filter_size, duration_predictor_kernel_size, dropout, alpha):
        super().__init__()
        self.alpha = alpha
        self.embedding = nn.Embedding(n_src_vocab, d_model, padding_idx=pad_id)
        self.encoder = nn.ModuleList([FFTBlock(d_model, encoder_head, encoder_conv1d_filter_size, fft_conv1d_kernel,
                                               dropout) for _ in range(encoder_n_layer)])
        self.duration_predictor = DurationPredictor(d_model, duration_predictor_filter_size,
                                                    duration_predictor_kernel_size, dropout)
        self.decoder = nn.ModuleList([FFTBlock(d_model, decoder_head, decoder_conv1d_filter_size, fft_conv1d_kernel,
                                               dropout) for _ in range(decoder_n_layer)])
        self.mel_linear = nn.Linear(d_model, n_mels)

    @staticmethod
    def _stack(blocks, x, valid):
        x = x + sinusoid_positions(x.shape[1], x.shape[2], x.device)[None]
        for block in blocks:
            x = block(x, valid)
        return x

    def forward(self, text, text_length, durations=None):
        """Mels ``[B, n_mels, T]``, log-duration predictions ``[B, T_in]`` and mel lengths ``[B]``.

        Without ``durations`` the predicted ones (times ``alpha``) set the length."""
        valid = lengths_to_mask(text_length, text.shape[1])
        encoded = self._stack(self.encoder, self.embedding(text), valid)
        log_durations = self.duration_predictor(encoded, valid)
        if durations is None:
            durations = torch.round((torch.exp(log_durations) - 1.0) * self.alpha).clamp(min=0).long() * valid
        expanded, mel_len = regulate_length(encoded, durations.long())
        decoded = self._stack(self.decoder, expanded, lengths_to_mask(mel_len, expanded.shape[1]))
        return self.mel_linear(decoded).transpose(1, 2), log_durations, mel_len


def durations_from_alignment(alignment, frames, n_frames_per_step):
    """Frames per symbol from a teacher-forced alignment ``[steps, symbols]`` (valid part) of ``frames``
    frames: each step's frames go to its most attended symbol; the durations sum to ``frames``."""
    steps = alignment.shape[0]
    per_step = torch.full((steps,), n_frames_per_step, dtype=torch.int64)
    per_step[-1] = frames - (steps - 1) * n_frames_per_step
    durations = torch.zeros(alignment.shape[1], dtype=torch.int64)
    return durations.index_add_(0, alignment.argmax(dim=1), per_step)
