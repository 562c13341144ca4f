"""ContextNet (Han et al., 2020) encoder and LSTM CTC decoder as neural modules (legacy NeMo layout)."""

from torch import nn
from torch.nn import functional as F

from nemo.backends.pytorch import TrainableNM

from .jasper import CTCDecoderPorts, JasperEncoder
from .parts.conv_blocks import init_weights

__all__ = ["ContextNetEncoder", "ContextNetDecoderForCTC"]


class ContextNetEncoder(JasperEncoder):
    """A Jasper encoder whose blocks use ContextNet's keys (``se_context_window``, ``stride_last``,
    ``separable``, ``residual_mode`` per block); length masking is off by default, as in the legacy module.

    Input ports: ``audio_signal`` (B, D, T), ``length`` (B,).
    Output ports: ``outputs`` (B, D', T'), ``encoded_lengths`` (B,).
    """

    def __init__(self, jasper, activation, feat_in, normalization_mode="batch", residual_mode="add", norm_groups=-1,
                 conv_mask=False, frame_splicing=1, init_mode="xavier_uniform", name=None, **kwargs):
        super().__init__(jasper=jasper, activation=activation, feat_in=feat_in,
                         normalization_mode=normalization_mode, residual_mode=residual_mode, norm_groups=norm_groups,
                         conv_mask=conv_mask, frame_splicing=frame_splicing, init_mode=init_mode, name=name, **kwargs)


class ContextNetDecoderForCTC(CTCDecoderPorts, TrainableNM):
    """One LSTM layer (``hidden_size``) and a linear layer to ``num_classes`` labels plus the blank (last).

    Input port: ``encoder_output`` (B, D, T). Output port: ``output`` (B, T, num_classes + 1) log-probs.
    """

    def __init__(self, feat_in, num_classes, hidden_size=640, init_mode="xavier_uniform", name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.rnn = nn.LSTM(feat_in, hidden_size, batch_first=True)
        self.clf = nn.Linear(hidden_size, num_classes + 1)
        self.clf.apply(lambda module: init_weights(module, init_mode))
        self._num_classes = num_classes

    def forward(self, encoder_output):
        hidden, _ = self.rnn(encoder_output.transpose(1, 2))
        return F.log_softmax(self.clf(hidden), dim=-1)
