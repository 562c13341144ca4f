"""Decoders for speech classification (commands, VAD) and speaker recognition as neural modules."""

from nemo.backends.pytorch import TrainableNM
from nemo.core.neural_types import AcousticEncodedRepresentation, EncodedRepresentation, LengthsType, LogitsType, NeuralType

from .parts.pooling import ClassificationHead, SpeakerHead

__all__ = ["JasperDecoderForClassification", "JasperDecoderForSpkrClass"]


def _encoder_ports():
    return {
        "encoder_output": NeuralType(("B", "D", "T"), AcousticEncodedRepresentation()),
        "encoded_lengths": NeuralType(tuple("B"), LengthsType(), optional=True),
    }


class JasperDecoderForClassification(TrainableNM):
    """Average (or max) pooling over time and a linear layer to ``num_classes`` scores.

    Give ``encoded_lengths`` to pool over each clip's valid frames only.

    Input ports: ``encoder_output`` (B, D, T), ``encoded_lengths`` (B,) optional.
    Output port: ``logits`` (B, num_classes) (softmax probabilities when ``return_logits=False``).
    """

    def __init__(self, feat_in, num_classes, init_mode="xavier_uniform", return_logits=True, pooling_type="avg",
                 name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self._num_classes = num_classes
        self.core = ClassificationHead(feat_in, num_classes, pooling_type=pooling_type, return_logits=return_logits,
                                       init_mode=init_mode)

    @property
    def num_classes(self):
        return self._num_classes

    @property
    def input_ports(self):
        return _encoder_ports()

    @property
    def output_ports(self):
        return {"logits": NeuralType(("B", "D"), LogitsType())}

    def forward(self, encoder_output, encoded_lengths=None):
        return self.core(encoder_output, encoded_lengths)


class JasperDecoderForSpkrClass(TrainableNM):
    """Speaker classifier over pooled encoder statistics; its first layer gives speaker embeddings.

    ``pool_mode``: 'xvector' (mean and std over time), 'gram' (Gram matrix of the frames) or
    'superVector' (both). ``angular=True`` makes the logits cosines, for :class:`AngularSoftmaxLossNM`.

    Input ports: ``encoder_output`` (B, D, T), ``encoded_lengths`` (B,) optional.
    Output ports: ``logits`` (B, num_classes), ``embs`` (B, emb_sizes[0]).
    """

    def __init__(self, feat_in, num_classes, emb_sizes=(512, 512), pool_mode="xvector", angular=False,
                 init_mode="xavier_uniform", name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self._num_classes = num_classes
        self.core = SpeakerHead(feat_in, num_classes, emb_sizes=emb_sizes, pool_mode=pool_mode, angular=angular,
                                init_mode=init_mode)

    @property
    def num_classes(self):
        return self._num_classes

    @property
    def input_ports(self):
        return _encoder_ports()

    @property
    def output_ports(self):
        return {
            "logits": NeuralType(("B", "D"), LogitsType()),
            "embs": NeuralType(("B", "D"), EncodedRepresentation()),
        }

    def forward(self, encoder_output, encoded_lengths=None):
        return self.core(encoder_output, encoded_lengths)
