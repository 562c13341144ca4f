"""Toy modules: a real-function data layer, a Taylor-series net, a class loss."""

import torch
from torch import nn

from ....core.neural_types import ChannelType, LabelsType, NeuralType
from ..common.losses import CrossEntropyLossNM
from ..nm import DataLayerNM, TrainableNM

__all__ = ["RealFunctionDataLayer", "TaylorNet", "CrossEntropyLoss"]


class RealFunctionDataLayer(DataLayerNM):
    """``n`` points x uniform in [x_lo, x_hi] with y = f(x).

    Output ports: ``x`` (B, 1) ChannelType, ``y`` (B, 1) LabelsType.
    """

    def __init__(self, n, batch_size, f=torch.sin, x_lo=-4, x_hi=4, shuffle=False, num_workers=None, name=None,
                 **kwargs):
        super().__init__(name=name, batch_size=batch_size, shuffle=shuffle, num_workers=num_workers, **kwargs)
        x = torch.rand(int(n), 1) * (x_hi - x_lo) + x_lo
        self._dataset = torch.utils.data.TensorDataset(x, f(x))

    @property
    def output_ports(self):
        return {"x": NeuralType(("B", "D"), ChannelType()), "y": NeuralType(("B", "D"), LabelsType())}

    @property
    def dataset(self):
        return self._dataset


class TaylorNet(TrainableNM):
    """y = sum_k w_k x^k for k < dim (a linear layer over powers of x).

    Input port: ``x`` (B, 1). Output port: ``y_pred`` (B, 1).
    """

    def __init__(self, dim, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self._dim = dim
        self.fc1 = nn.Linear(dim, 1)
        self.register_buffer("_powers", torch.arange(dim, dtype=torch.float32), persistent=False)

    @property
    def input_ports(self):
        return {"x": NeuralType(("B", "D"), ChannelType())}

    @property
    def output_ports(self):
        return {"y_pred": NeuralType(("B", "D"), ChannelType())}

    def forward(self, x):
        return self.fc1(x.pow(self._powers.to(x.dtype)))


class CrossEntropyLoss(CrossEntropyLossNM):
    """Cross entropy with the tutorial's port names.

    Input ports: ``predictions`` (B, C) logits, ``labels`` (B,). Output port: ``loss``.
    """

    @property
    def input_ports(self):
        ports = super().input_ports
        return {"predictions": ports["logits"], "labels": ports["labels"]}

    def _loss_function(self, predictions, labels):
        return super()._loss_function(predictions, labels)
