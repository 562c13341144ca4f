"""Small building blocks shared by the TTS networks: masks and Xavier-initialised layers."""
import torch
from torch import nn


def lengths_to_mask(lengths, max_len):
    """``[B, max_len]`` bool mask, True at the valid positions ``t < lengths[b]``."""
    return torch.arange(max_len, device=lengths.device)[None, :] < lengths[:, None]


def decoder_steps(frames, n_frames_per_step):
    """Decoder steps that cover ``frames`` (a tensor of lengths): ``ceil(frames / r)``."""
    return torch.div(frames + n_frames_per_step - 1, n_frames_per_step, rounding_mode="floor")


def linear(in_dim, out_dim, bias=True, gain="linear"):
    """``nn.Linear`` with Xavier-uniform weights scaled for the following nonlinearity."""
    layer = nn.Linear(in_dim, out_dim, bias=bias)
    nn.init.xavier_uniform_(layer.weight, gain=nn.init.calculate_gain(gain))
    return layer


def conv1d(in_channels, out_channels, kernel_size, bias=True, gain="linear"):
    """Same-length ``nn.Conv1d`` (odd kernel) with Xavier-uniform weights."""
    if kernel_size % 2 != 1:
        raise ValueError(f"kernel_size must be odd to keep the length, got {kernel_size}")
    layer = nn.Conv1d(in_channels, out_channels, kernel_size, padding=(kernel_size - 1) // 2, bias=bias)
    nn.init.xavier_uniform_(layer.weight, gain=nn.init.calculate_gain(gain))
    return layer


class ConvBNStack(nn.Module):
    """Conv1d + BatchNorm + activation + dropout, repeated: the Tacotron 2 encoder and postnet body.

    ``channels`` lists the channel counts from input to output; the last layer has no
    activation when ``last_linear``. With ``mask [B, 1, T]`` (True at valid frames) each layer's
    input is zeroed outside it, so padding never leaks into valid frames.
    """

    def __init__(self, channels, kernel_size, activation, p_dropout, last_linear=False):
        super().__init__()
        self.layers = nn.ModuleList()
        count = len(channels) - 1
        for index, (cin, cout) in enumerate(zip(channels[:-1], channels[1:])):
            linear_out = last_linear and index == count - 1
            gain = "linear" if linear_out else activation
            self.layers.append(nn.Sequential(conv1d(cin, cout, kernel_size, gain=gain), nn.BatchNorm1d(cout)))
        self.activation = {"relu": torch.relu, "tanh": torch.tanh}[activation]
        self.last_linear = last_linear
        self.dropout = nn.Dropout(p_dropout)

    def forward(self, x, mask=None):
        for index, layer in enumerate(self.layers):
            x = layer(x if mask is None else x * mask)
            if not (self.last_linear and index == len(self.layers) - 1):
                x = self.activation(x)
            x = self.dropout(x)
        return x
