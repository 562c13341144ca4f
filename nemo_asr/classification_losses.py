"""Angular-margin softmax loss for speaker embeddings as a neural module."""

import torch

from nemo.backends.pytorch import LossNM
from nemo.core.neural_types import LabelsType, LogitsType, LossType, NeuralType

__all__ = ["AngularSoftmaxLossNM"]


def angular_softmax_loss(cosines, labels, scale, margin, eps=1e-7):
    """Additive angular margin softmax: cross entropy of ``scale * cos`` logits where the
    target class's angle is widened by ``margin`` radians. ``cosines`` (B, C) in [-1, 1]."""
    cosines = cosines.float().clamp(-1.0 + eps, 1.0 - eps)
    target = torch.cos(torch.acos(cosines.gather(1, labels.unsqueeze(1))) + margin)
    logits = cosines.scatter(1, labels.unsqueeze(1), target) * scale
    return torch.nn.functional.cross_entropy(logits, labels)


class AngularSoftmaxLossNM(LossNM):
    """Additive angular margin (ArcFace-style) softmax over cosine logits; legacy defaults
    ``s=20.0``, ``m=1.35``. Use with ``JasperDecoderForSpkrClass(angular=True)``.

    Input ports: ``logits`` (B, C) cosines, ``labels`` (B,). Output port: ``loss``.
    """

    def __init__(self, s=20.0, m=1.35, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.scale, self.margin = float(s), float(m)

    @property
    def input_ports(self):
        return {
            "logits": NeuralType(("B", "D"), LogitsType()),
            "labels": NeuralType(tuple("B"), LabelsType()),
        }

    @property
    def output_ports(self):
        return {"loss": NeuralType(elements_type=LossType())}

    def _loss_function(self, logits, labels):
        return angular_softmax_loss(logits, labels, self.scale, self.margin)
