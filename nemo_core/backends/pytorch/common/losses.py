"""Common losses as neural modules."""

import torch
import torch.nn.functional as F
from torch import nn

from ....core.neural_module import ModuleCallError
from ....core.neural_types import (
    ChannelType,
    LabelsType,
    LogitsType,
    LogprobsType,
    LossType,
    NeuralType,
    RegressionValuesType,
)
from ....core.nm_tensor import NmTensor
from ..nm import LossNM

__all__ = [
    "CrossEntropyLossNM",
    "L1Loss",
    "LossAggregatorNM",
    "MSELoss",
    "SequenceLoss",
    "masked_cross_entropy",
    "masked_mean",
]


class _RegressionLoss(LossNM):
    """Mean regression loss between predictions and targets.

    Input ports: ``predictions`` (B, D) and ``target`` (B, D), or the legacy
    0.10 names ``preds`` (B,) and ``labels`` (B,): give one pair. Output port: ``loss``.
    """

    criterion = None  # a functional loss, e.g. F.mse_loss
    _PAIRS = (("predictions", "target"), ("preds", "labels"))

    @property
    def input_ports(self):
        return {
            "predictions": NeuralType(("B", "D"), ChannelType(), optional=True),
            "target": NeuralType(("B", "D"), LabelsType(), optional=True),
            "preds": NeuralType(tuple("B"), RegressionValuesType(), optional=True),
            "labels": NeuralType(tuple("B"), LabelsType(), optional=True),
        }

    @property
    def output_ports(self):
        return {"loss": NeuralType(elements_type=LossType())}

    def __call__(self, *args, **kwargs):
        if not args and any(isinstance(v, NmTensor) for v in kwargs.values()):
            given = set(kwargs)
            if not any(given == set(pair) for pair in self._PAIRS):
                raise ModuleCallError(
                    f"Module {self.name}: give either ports (predictions, target) or (preds, labels), "
                    f"got {sorted(given)}"
                )
        return super().__call__(*args, **kwargs)

    def _loss_function(self, predictions=None, target=None, preds=None, labels=None):
        if predictions is None:
            predictions, target = preds, labels
        return type(self).criterion(predictions, target)


class MSELoss(_RegressionLoss):
    __doc__ = _RegressionLoss.__doc__.replace("Mean regression loss", "Mean squared error")
    criterion = F.mse_loss


class L1Loss(_RegressionLoss):
    __doc__ = _RegressionLoss.__doc__.replace("Mean regression loss", "Mean absolute error")
    criterion = F.l1_loss


def masked_mean(values, mask):
    """Mean of ``values`` where ``mask`` is true (0 when nothing is selected); no host sync."""
    mask = mask.to(values.dtype)
    return (values * mask).sum() / mask.sum().clamp(min=1.0)


class CrossEntropyLossNM(LossNM):
    """Cross entropy of class ``logits`` against integer ``labels``.

    ``logits_ndim`` is the rank of ``logits`` (2: (B, C); 3: (B, T, C); ...);
    ``labels`` and the optional ``loss_mask`` have one axis less. Positions
    where the mask is 0, or whose label is negative (e.g. -100), add nothing;
    ``weight`` gives per-class weights (the mean is then weighted, as in torch).
    Input ports: ``logits``, ``labels``, ``loss_mask`` (optional). Output port: ``loss``.
    """

    def __init__(self, logits_ndim=2, weight=None, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        if logits_ndim < 2:
            raise ValueError(f"{self.name}: logits_ndim must be >= 2, got {logits_ndim}")
        self._logits_ndim = logits_ndim
        class_weight = None if weight is None else torch.as_tensor(weight, dtype=torch.float32)
        self.register_buffer("_class_weight", class_weight, persistent=False)

    def _axes(self, ndim):
        return ("B",) + ("ANY",) * (ndim - 1)

    @property
    def input_ports(self):
        label_axes = self._axes(self._logits_ndim - 1)
        return {
            "logits": NeuralType(self._axes(self._logits_ndim), LogitsType()),
            "labels": NeuralType(label_axes, LabelsType()),
            "loss_mask": NeuralType(label_axes, ChannelType(), optional=True),
        }

    @property
    def output_ports(self):
        return {"loss": NeuralType(elements_type=LossType())}

    def _loss_function(self, logits, labels, loss_mask=None):
        return masked_cross_entropy(logits, labels, loss_mask, self._class_weight)


def masked_cross_entropy(logits, labels, mask=None, class_weight=None):
    """Mean cross entropy over the positions where ``mask`` is set and ``labels >= 0``.

    ``logits`` (..., C), ``labels`` and ``mask`` (...). Computed without boolean
    indexing, so it never waits for the device.
    """
    logits = logits.reshape(-1, logits.shape[-1]).float()
    labels = labels.reshape(-1)
    valid = labels >= 0
    if mask is not None:
        valid = valid & (mask.reshape(-1) > 0.5)
    safe_labels = torch.where(valid, labels, torch.zeros_like(labels))
    per_item = nn.functional.cross_entropy(logits, safe_labels, reduction="none")
    weights = valid.to(per_item.dtype)
    if class_weight is not None:
        weights = weights * class_weight.to(per_item.device)[safe_labels]
    return (per_item * weights).sum() / weights.sum().clamp(min=1e-12)


class SequenceLoss(LossNM):
    """Token-level negative log likelihood of ``log_probs`` (B, T, C) against
    ``targets`` (B, T), skipping ``pad_id``; optional label smoothing.

    ``sample_wise`` averages per sequence first, then over the batch.
    Input ports: ``log_probs``, ``targets``. Output port: ``loss``.
    """

    def __init__(self, pad_id=0, smoothing_coef=0.0, sample_wise=False, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        if not 0.0 <= smoothing_coef < 1.0:
            raise ValueError(f"{self.name}: smoothing_coef must be in [0, 1), got {smoothing_coef}")
        self._pad_id = pad_id
        self._smoothing = smoothing_coef
        self._sample_wise = sample_wise

    @property
    def input_ports(self):
        return {
            "log_probs": NeuralType(("B", "T", "D"), LogprobsType()),
            "targets": NeuralType(("B", "T"), LabelsType()),
        }

    @property
    def output_ports(self):
        return {"loss": NeuralType(elements_type=LossType())}

    def _loss_function(self, log_probs, targets):
        log_probs = log_probs.float()
        mask = (targets != self._pad_id).to(log_probs.dtype)
        nll = -log_probs.gather(-1, targets.unsqueeze(-1)).squeeze(-1)
        if self._smoothing:
            nll = (1.0 - self._smoothing) * nll - self._smoothing * log_probs.mean(dim=-1)
        if self._sample_wise:
            per_sample = (nll * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)
            return per_sample.mean()
        return masked_mean(nll, mask)


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
