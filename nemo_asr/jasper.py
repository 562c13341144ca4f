"""Jasper / QuartzNet encoder and CTC decoder as neural modules."""

from nemo.backends.pytorch import TrainableNM
from nemo.core.neural_types import (
    AcousticEncodedRepresentation,
    AxisType,
    LengthsType,
    LogprobsType,
    NeuralType,
    SpectrogramType,
)

from .parts.jasper import JasperDecoderCore, JasperEncoderCore

__all__ = ["JasperEncoder", "JasperDecoderForCTC"]


class JasperEncoder(TrainableNM):
    """Jasper/QuartzNet encoder built from the legacy ``jasper:`` block list.

    Input ports: ``audio_signal`` (B, D, T) spectrogram, ``length`` (B,).
    Output ports: ``outputs`` (B, D', T') AcousticEncodedRepresentation, ``encoded_lengths`` (B,).
    """

    def __init__(self, jasper, activation, feat_in, normalization_mode="batch", residual_mode="add",
                 norm_groups=-1, conv_mask=True, frame_splicing=1, init_mode="xavier_uniform", name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.core = JasperEncoderCore(
            jasper=jasper, activation=activation, feat_in=feat_in, normalization_mode=normalization_mode,
            residual_mode=residual_mode, norm_groups=norm_groups, conv_mask=conv_mask,
            frame_splicing=frame_splicing, init_mode=init_mode,
        )

    @property
    def input_ports(self):
        feat_in = self.init_params.get("feat_in")
        return {
            "audio_signal": NeuralType(("B", AxisType.sized("D", feat_in), "T"), SpectrogramType()),
            "length": NeuralType(tuple("B"), LengthsType()),
        }

    @property
    def output_ports(self):
        filters = (self.init_params.get("jasper") or [{}])[-1].get("filters")
        return {
            "outputs": NeuralType(("B", AxisType.sized("D", filters), "T"), AcousticEncodedRepresentation()),
            "encoded_lengths": NeuralType(tuple("B"), LengthsType()),
        }

    def forward(self, audio_signal, length):
        return self.core(audio_signal, length)


class CTCDecoderPorts:
    """Ports of a CTC decoder with ``feat_in`` features and ``num_classes`` labels plus the blank
    (a subclass sets ``self._num_classes``).

    Input port: ``encoder_output`` (B, feat_in, T). Output port: ``output`` (B, T, num_classes + 1) log-probs.
    """

    @property
    def num_classes(self):
        return self._num_classes

    @property
    def input_ports(self):
        feat_in = self.init_params.get("feat_in")
        return {"encoder_output": NeuralType(("B", AxisType.sized("D", feat_in), "T"), AcousticEncodedRepresentation())}

    @property
    def output_ports(self):
        return {"output": NeuralType(("B", "T", AxisType.sized("D", self.num_classes + 1)), LogprobsType())}


class JasperDecoderForCTC(CTCDecoderPorts, TrainableNM):
    """1x1 convolution to ``num_classes`` labels plus the CTC blank (the last index); ``vocabulary``
    (the labels, legacy) gives ``num_classes`` as its length.

    Input port: ``encoder_output`` (B, D, T). Output port: ``output`` (B, T, num_classes + 1) log-probs.
    """

    def __init__(self, feat_in, num_classes=None, init_mode="xavier_uniform", vocabulary=None, name=None, **kwargs):
        if vocabulary is not None:
            if num_classes is not None and num_classes != len(vocabulary):
                raise ValueError(f"JasperDecoderForCTC: num_classes={num_classes} but the vocabulary has "
                                 f"{len(vocabulary)} labels")
            num_classes = len(vocabulary)
        if num_classes is None:
            raise ValueError("JasperDecoderForCTC needs num_classes or vocabulary")
        super().__init__(name=name, **kwargs)
        self.vocabulary = list(vocabulary) if vocabulary is not None else None
        self.core = JasperDecoderCore(feat_in=feat_in, num_classes=num_classes, init_mode=init_mode)
        self._num_classes = num_classes

    def forward(self, encoder_output):
        return self.core(encoder_output)
