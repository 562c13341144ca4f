"""Jasper / QuartzNet blocks, encoder and CTC decoder (plain PyTorch).

Submodule names follow the legacy NeMo layout (``encoder.<i>.mconv.<j>``,
``encoder.<i>.res.<k>.<j>``, ``decoder_layers.0``) so legacy state dicts load.
"""
from torch import nn
from torch.nn import functional as F

from nemo_asr.parts.conv_blocks import (
    GroupShuffle, MaskedConv1d, SqueezeExcite, get_activation, init_weights, make_norm,
    same_padding, scale_kernel,
)

RESIDUAL_MODES = ("add", "stride_add")
REQUIRED_BLOCK_KEYS = ("filters", "repeat", "kernel", "stride", "dilation", "dropout", "residual")
OPTIONAL_BLOCK_KEYS = {
    "separable": False,
    "groups": 1,
    "se": False,
    "se_reduction_ratio": 8,
    "residual_dense": False,
    "kernel_size_factor": 1.0,
    "heads": -1,
    "residual_mode": None,  # None: the encoder's residual_mode
    "se_context_window": -1,
    "se_interpolation_mode": "nearest",
    "stride_last": False,
}


def _first(value):
    """Legacy configs write sizes as one-element lists (``kernel: [33]``)."""
    return int(value[0]) if isinstance(value, (list, tuple)) else int(value)


class JasperBlock(nn.Module):
    """``repeat`` x (conv, norm, activation, dropout) with an optional residual.

    ``forward(xs: list of [B, C, T] tensors, lengths [B]) -> (list, new_lengths)``:
    ``xs[-1]`` is the input; the residual branches (a 1x1 conv and norm each)
    read ``xs[k]`` for every entry of ``residual_panes`` (dense residual) or
    ``xs[-1]`` alone. The activation and dropout come after the residual add.
    """

    def __init__(self, inplanes, planes, repeat=3, kernel_size=11, stride=1, dilation=1,
                 dropout=0.2, activation="relu", residual=True, groups=1, separable=False,
                 normalization="batch", norm_groups=-1, residual_mode="add",
                 residual_panes=None, conv_mask=True, se=False, se_reduction_ratio=8,
                 kernel_size_factor=1.0, heads=-1, se_context_window=-1, se_interpolation_mode="nearest",
                 stride_last=False):
        super().__init__()
        if residual_mode not in RESIDUAL_MODES:
            raise ValueError(
                f"Unknown residual_mode {residual_mode!r}; expected one of {RESIDUAL_MODES}")
        kernel_size = scale_kernel(_first(kernel_size), kernel_size_factor)
        stride, dilation = _first(stride), _first(dilation)
        if residual and stride > 1 and residual_mode == "add":
            raise ValueError(
                f"A residual block with stride {stride} needs residual_mode='stride_add'")
        conv_args = dict(kernel_size=kernel_size, stride=stride, dilation=dilation,
                         padding=same_padding(kernel_size, stride, dilation), groups=groups,
                         separable=separable, normalization=normalization,
                         norm_groups=norm_groups, conv_mask=conv_mask, heads=heads)
        # Every repeated conv is strided (legacy), or only the last one with stride_last.
        inner_args = dict(conv_args, stride=1, padding=same_padding(kernel_size, 1, dilation)) \
            if stride_last else conv_args
        layers = []
        channels = inplanes
        for _ in range(repeat - 1):
            layers += self._conv_norm(channels, planes, **inner_args)
            layers += [get_activation(activation), nn.Dropout(dropout)]
            channels = planes
        layers += self._conv_norm(channels, planes, **conv_args)
        if se:
            layers.append(SqueezeExcite(planes, se_reduction_ratio, se_context_window, se_interpolation_mode))
        self.mconv = nn.ModuleList(layers)

        self.dense_residual = bool(residual and residual_panes)
        self.res = None
        if residual:
            res_stride = stride if residual_mode == "stride_add" else 1
            panes = list(residual_panes) if residual_panes else [inplanes]
            self.res = nn.ModuleList(
                nn.ModuleList(self._conv_norm(ch, planes, kernel_size=1, stride=res_stride,
                                              normalization=normalization,
                                              norm_groups=norm_groups, conv_mask=conv_mask))
                for ch in panes
            )
        self.mout = nn.Sequential(get_activation(activation), nn.Dropout(dropout))

    @staticmethod
    def _conv_norm(in_ch, out_ch, kernel_size, stride=1, dilation=1, padding=0, groups=1,
                   separable=False, normalization="batch", norm_groups=-1, conv_mask=True, heads=-1):
        """Conv (or depthwise + pointwise), normalization, and a shuffle for grouped convs.
        ``heads`` shares the depthwise kernels of a separable conv between channel groups (legacy)."""
        if separable:
            layers = [
                MaskedConv1d(in_ch, in_ch, kernel_size, stride=stride, padding=padding,
                             dilation=dilation, groups=in_ch, use_mask=conv_mask, heads=heads),
                MaskedConv1d(in_ch, out_ch, 1, groups=groups, use_mask=conv_mask),
            ]
        else:
            layers = [MaskedConv1d(in_ch, out_ch, kernel_size, stride=stride, padding=padding,
                                   dilation=dilation, groups=groups, use_mask=conv_mask)]
        layers.append(make_norm(normalization, out_ch, norm_groups))
        if groups > 1:
            layers.append(GroupShuffle(groups, out_ch))
        return layers

    @staticmethod
    def _run(layers, x, lengths):
        for layer in layers:
            if isinstance(layer, MaskedConv1d):
                x, lengths = layer(x, lengths)
            elif isinstance(layer, SqueezeExcite):
                x = layer(x, lengths)
            else:
                x = layer(x)
        return x, lengths

    def forward(self, xs, lengths):
        out, out_lengths = self._run(self.mconv, xs[-1], lengths)
        if self.res is not None:
            inputs = xs if self.dense_residual else xs[-1:]
            for branch, res_in in zip(self.res, inputs):
                out = out + self._run(branch, res_in, lengths)[0]
        out = self.mout(out)
        if self.dense_residual:
            return xs + [out], out_lengths
        return [out], out_lengths


class JasperEncoderCore(nn.Module):
    """Stack of JasperBlocks built from a legacy ``jasper:`` block list.

    ``forward(audio_signal [B, D, T], length [B]) -> (encoded [B, C, T'], encoded_len [B])``.
    With ``conv_mask`` and batch norm in eval mode, each utterance's valid frames
    do not depend on the padding of the batch.
    """

    def __init__(self, jasper, activation, feat_in, normalization_mode="batch",
                 residual_mode="add", norm_groups=-1, conv_mask=True, frame_splicing=1,
                 init_mode="xavier_uniform"):
        super().__init__()
        channels = feat_in * frame_splicing
        dense_panes = []
        blocks = []
        for index, cfg in enumerate(jasper):
            cfg = self._checked_block(index, cfg)
            if cfg["residual_dense"]:
                dense_panes.append(channels)
            else:
                dense_panes = []
            blocks.append(JasperBlock(
                channels, cfg["filters"], repeat=cfg["repeat"], kernel_size=cfg["kernel"],
                stride=cfg["stride"], dilation=cfg["dilation"], dropout=cfg["dropout"],
                activation=activation, residual=cfg["residual"], groups=cfg["groups"],
                separable=cfg["separable"], normalization=normalization_mode,
                norm_groups=norm_groups, residual_mode=cfg["residual_mode"] or residual_mode,
                residual_panes=list(dense_panes), conv_mask=conv_mask, se=cfg["se"],
                se_reduction_ratio=cfg["se_reduction_ratio"],
                kernel_size_factor=cfg["kernel_size_factor"], heads=cfg["heads"],
                se_context_window=cfg["se_context_window"], se_interpolation_mode=cfg["se_interpolation_mode"],
                stride_last=cfg["stride_last"],
            ))
            channels = cfg["filters"]
        self.encoder = nn.ModuleList(blocks)
        self.feat_out = channels
        self.apply(lambda module: init_weights(module, init_mode))

    @staticmethod
    def _checked_block(index, cfg):
        """Block config with defaults filled in; unknown or missing keys raise ValueError."""
        allowed = set(REQUIRED_BLOCK_KEYS) | set(OPTIONAL_BLOCK_KEYS)
        unknown = sorted(set(cfg) - allowed)
        missing = [key for key in REQUIRED_BLOCK_KEYS if key not in cfg]
        if unknown or missing:
            raise ValueError(
                f"jasper block {index}: unknown keys {unknown}, missing keys {missing}; "
                f"required {list(REQUIRED_BLOCK_KEYS)}, optional {sorted(OPTIONAL_BLOCK_KEYS)}")
        if cfg.get("residual_dense") and not cfg["residual"]:
            raise ValueError(f"jasper block {index}: residual_dense needs residual: true")
        return {**OPTIONAL_BLOCK_KEYS, **cfg}

    def forward(self, audio_signal, length=None):
        xs = [audio_signal]
        for block in self.encoder:
            xs, length = block(xs, length)
        return xs[-1], length


class JasperDecoderCore(nn.Module):
    """1x1 conv to ``num_classes + 1`` outputs (CTC blank is the last index).

    ``forward(encoder_output [B, C, T]) -> log_probs [B, T, num_classes + 1]``.
    """

    def __init__(self, feat_in, num_classes, init_mode="xavier_uniform"):
        super().__init__()
        self.blank_id = num_classes
        self.decoder_layers = nn.Sequential(nn.Conv1d(feat_in, num_classes + 1, 1, bias=True))
        self.apply(lambda module: init_weights(module, init_mode))

    def forward(self, encoder_output):
        return F.log_softmax(self.decoder_layers(encoder_output).transpose(1, 2), dim=-1)
