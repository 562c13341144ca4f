"""Common losses as neural modules."""

import torch
from torch import nn

from ....core.neural_types import ChannelType, LabelsType, LogitsType, LossType, NeuralType
from ..nm import LossNM

__all__ = ["MSELoss", "L1Loss", "CrossEntropyLossNM", "LossAggregatorNM"]


class _RegressionLoss(LossNM):
    """Mean regression loss between ``predictions`` and ``target``.

    Input ports: ``predictions`` (B, D), ``target`` (B, D). Output port: ``loss``.
    """

    criterion = None

    def __init__(self, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self._criterion = self.criterion()

    @property
    def input_ports(self):
        return {
            "predictions": NeuralType(("B", "D"), ChannelType()),
            "target": NeuralType(("B", "D"), LabelsType()),
        }

    @property
    def output_ports(self):
        return {"loss": NeuralType(elements_type=LossType())}

    def _loss_function(self, predictions, target):
        return self._criterion(predictions, target)


class MSELoss(_RegressionLoss):
    __doc__ = _RegressionLoss.__doc__.replace("Mean regression loss", "Mean squared error")
    criterion = nn.MSELoss


class L1Loss(_RegressionLoss):
    __doc__ = _RegressionLoss.__doc__.replace("Mean regression loss", "Mean absolute error")
    criterion = nn.L1Loss


class CrossEntropyLossNM(LossNM):
    """Cross entropy of class ``logits`` (B, C) against ``labels`` (B,).

    Input ports: ``logits``, ``labels``. Output port: ``loss``.
    """

    def __init__(self, weight=None, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self._criterion = nn.CrossEntropyLoss(weight=None if weight is None else torch.as_tensor(weight))

    @property
    def input_ports(self):
        return {"logits": NeuralType(("B", "D"), LogitsType()), "labels": NeuralType(tuple("B"), LabelsType())}

    @property
    def output_ports(self):
        return {"loss": NeuralType(elements_type=LossType())}

    def _loss_function(self, logits, labels):
        return self._criterion(logits, labels)


class LossAggregatorNM(LossNM):
    """Sum of ``num_inputs`` losses (optionally weighted).

    Input ports: ``loss_1`` .. ``loss_<num_inputs>``. Output port: ``loss``.
    """

    def __init__(self, num_inputs=2, weights=None, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self._num_inputs = num_inputs
        self._weights = list(weights) if weights is not None else [1.0] * num_inputs
        if len(self._weights) != num_inputs:
            raise ValueError(f"{self.name}: {len(self._weights)} weights for {num_inputs} inputs")

    @property
    def input_ports(self):
        return {f"loss_{i + 1}": NeuralType(elements_type=LossType()) for i in range(self._num_inputs)}

    @property
    def output_ports(self):
        return {"loss": NeuralType(elements_type=LossType())}

    def _loss_function(self, **losses):
        return sum(w * losses[f"loss_{i + 1}"] for i, w in enumerate(self._weights))
