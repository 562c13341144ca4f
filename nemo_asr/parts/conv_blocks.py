"""Length-aware 1-D convolution pieces used by Jasper/QuartzNet (plain PyTorch)."""
import torch
from torch import nn
from torch.nn import functional as F

ACTIVATIONS = {
    "relu": nn.ReLU,
    "selu": nn.SELU,
    "swish": nn.SiLU,
    "silu": nn.SiLU,
    "hardtanh": lambda: nn.Hardtanh(0.0, 20.0),
    "gelu": nn.GELU,
    "tanh": nn.Tanh,
}
NORMALIZATIONS = ("batch", "layer", "instance", "group")
INIT_MODES = ("xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal")


def get_activation(name):
    """A new activation module for a config name ('relu', 'hardtanh', ...)."""
    if name not in ACTIVATIONS:
        raise ValueError(f"Unknown activation {name!r}; expected one of {sorted(ACTIVATIONS)}")
    return ACTIVATIONS[name]()


def make_norm(normalization, channels, norm_groups=-1):
    """Normalization layer over ``channels``; ``norm_groups=-1`` means one group per channel."""
    if normalization == "batch":
        return nn.BatchNorm1d(channels, eps=1e-3, momentum=0.1)
    if normalization == "layer":
        return nn.GroupNorm(1, channels)
    if normalization == "instance":
        return nn.GroupNorm(channels, channels)
    if normalization == "group":
        groups = channels if norm_groups == -1 else norm_groups
        if groups <= 0 or channels % groups:
            raise ValueError(f"norm_groups={norm_groups} must divide the {channels} channels")
        return nn.GroupNorm(groups, channels)
    raise ValueError(f"Unknown normalization {normalization!r}; expected one of {NORMALIZATIONS}")


def scale_kernel(kernel_size, factor):
    """Kernel size scaled by ``factor``, at least 1 and rounded up to an odd number."""
    size = max(int(kernel_size * factor), 1)
    return size if size % 2 else size + 1


def same_padding(kernel_size, stride, dilation):
    """Padding that keeps ``ceil(T / stride)`` frames for an odd kernel."""
    if stride > 1 and dilation > 1:
        raise ValueError("A convolution cannot have both stride > 1 and dilation > 1")
    return dilation * (kernel_size - 1) // 2


def time_mask(lengths, max_len):
    """Boolean [B, T] mask, True on valid frames."""
    return torch.arange(max_len, device=lengths.device)[None, :] < lengths[:, None]


def init_weights(module, mode="xavier_uniform"):
    """Initialise one module: conv/linear weights by ``mode``, norms to identity."""
    if isinstance(module, (nn.Conv1d, nn.Linear)):
        if mode == "xavier_uniform":
            nn.init.xavier_uniform_(module.weight, gain=1.0)
        elif mode == "xavier_normal":
            nn.init.xavier_normal_(module.weight, gain=1.0)
        elif mode == "kaiming_uniform":
            nn.init.kaiming_uniform_(module.weight, nonlinearity="relu")
        elif mode == "kaiming_normal":
            nn.init.kaiming_normal_(module.weight, nonlinearity="relu")
        else:
            raise ValueError(f"Unknown init_mode {mode!r}; expected one of {INIT_MODES}")
    elif isinstance(module, (nn.BatchNorm1d, nn.GroupNorm)):
        if getattr(module, "track_running_stats", False):
            module.reset_running_stats()
        if module.affine:
            nn.init.ones_(module.weight)
            nn.init.zeros_(module.bias)


class MaskedConv1d(nn.Module):
    """Conv1d that zeroes padded input frames (when ``use_mask``) and tracks lengths.

    ``forward(x [B, C, T], lengths [B] or None) -> (out [B, C', T'], new_lengths)``.
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 dilation=1, groups=1, bias=False, use_mask=True, heads=-1):
        super().__init__()
        self.heads, self.out_channels = heads, out_channels
        if heads != -1:  # legacy: a depthwise kernel per head, shared by the channels of each head
            if in_channels != out_channels or in_channels % heads:
                raise ValueError(f"heads={heads} needs in_channels == out_channels divisible by heads, "
                                 f"got {in_channels} -> {out_channels}")
            in_channels = out_channels = groups = heads
        self.conv = nn.Conv1d(in_channels, out_channels, kernel_size, stride=stride,
                              padding=padding, dilation=dilation, groups=groups, bias=bias)
        self.use_mask = use_mask

    def output_lengths(self, lengths):
        """Frame counts after this convolution."""
        pad, dil = self.conv.padding[0], self.conv.dilation[0]
        k, stride = self.conv.kernel_size[0], self.conv.stride[0]
        return torch.div(lengths + 2 * pad - dil * (k - 1) - 1, stride, rounding_mode="floor") + 1

    def _conv(self, x):
        if self.heads == -1:
            return self.conv(x)
        batch = x.shape[0]
        return self.conv(x.reshape(-1, self.heads, x.shape[-1])).reshape(batch, self.out_channels, -1)

    def forward(self, x, lengths=None):
        if lengths is None:
            return self._conv(x), None
        if self.use_mask:
            x = x.masked_fill(~time_mask(lengths, x.shape[2]).unsqueeze(1), 0.0)
        return self._conv(x), self.output_lengths(lengths)


class SqueezeExcite(nn.Module):
    """Channel gating from the mean over valid frames: ``forward(x, lengths=None) -> x * gate``.

    ``context_window > 0`` gates each frame from a moving average over that many frames (ContextNet),
    resized back to the input length with ``interpolation_mode``.
    """

    def __init__(self, channels, reduction_ratio=8, context_window=-1, interpolation_mode="nearest"):
        super().__init__()
        self.context_window, self.interpolation_mode = context_window, interpolation_mode
        hidden = max(channels // reduction_ratio, 1)
        self.fc = nn.Sequential(
            nn.Linear(channels, hidden, bias=False),
            nn.ReLU(inplace=True),
            nn.Linear(hidden, channels, bias=False),
        )

    def forward(self, x, lengths=None):
        if self.context_window > 0:
            valid = x if lengths is None else x.masked_fill(~time_mask(lengths, x.shape[2]).unsqueeze(1), 0.0)
            pooled = F.avg_pool1d(valid, min(self.context_window, x.shape[2]), stride=1)
            gate = self.fc(pooled.transpose(1, 2)).transpose(1, 2)
            gate = F.interpolate(gate, size=x.shape[2], mode=self.interpolation_mode)
            return x * torch.sigmoid(gate)
        if lengths is None:
            pooled = x.mean(dim=2)
        else:
            valid = x.masked_fill(~time_mask(lengths, x.shape[2]).unsqueeze(1), 0.0)
            pooled = valid.sum(dim=2) / lengths.clamp(min=1).unsqueeze(1).to(x.dtype)
        return x * torch.sigmoid(self.fc(pooled)).unsqueeze(2)


class GroupShuffle(nn.Module):
    """Interleaves the channels of ``groups`` groups (ShuffleNet) after a grouped conv."""

    def __init__(self, groups, channels):
        super().__init__()
        self.groups = groups
        self.channels_per_group = channels // groups

    def forward(self, x):
        batch, channels, time = x.shape
        x = x.view(batch, self.groups, self.channels_per_group, time).transpose(1, 2)
        return x.reshape(batch, channels, time)
