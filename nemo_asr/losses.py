"""CTC loss as a neural module."""

import torch

from nemo.backends.pytorch import LossNM
from nemo.core.neural_types import LabelsType, LengthsType, LogprobsType, LossType, NeuralType

__all__ = ["CTCLossNM"]

_REDUCTIONS = ("mean_batch", "mean", "sum", "none")


class CTCLossNM(LossNM):
    """CTC loss with the blank as the last class (index ``num_classes``).

    ``reduction``: ``mean_batch`` (mean over the batch of each utterance's loss),
    ``mean`` (torch's: each loss divided by its target length, then averaged),
    ``sum`` or ``none``. Computed in float32 whatever the autocast dtype.

    Input ports: ``log_probs`` (B, T, C+1), ``targets`` (B, L), ``input_length`` (B,),
    ``target_length`` (B,). Output port: ``loss``.
    """

    def __init__(self, num_classes, zero_infinity=False, reduction="mean_batch", name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        if reduction not in _REDUCTIONS:
            raise ValueError(f"CTCLossNM: reduction must be one of {_REDUCTIONS}, got {reduction!r}")
        self._blank = num_classes
        self._reduction = reduction
        self._criterion = torch.nn.CTCLoss(
            blank=num_classes, reduction="none" if reduction == "mean_batch" else reduction,
            zero_infinity=zero_infinity,
        )

    @property
    def input_ports(self):
        return {
            "log_probs": NeuralType(("B", "T", "D"), LogprobsType()),
            "targets": NeuralType(("B", "T"), LabelsType()),
            "input_length": NeuralType(tuple("B"), LengthsType()),
            "target_length": NeuralType(tuple("B"), LengthsType()),
        }

    @property
    def output_ports(self):
        return {"loss": NeuralType(elements_type=LossType())}

    def _loss_function(self, log_probs, targets, input_length, target_length):
        with torch.autocast(device_type=log_probs.device.type, enabled=False):
            loss = self._criterion(
                log_probs.float().transpose(0, 1), targets.long(), input_length.long(), target_length.long()
            )
        return loss.mean() if self._reduction == "mean_batch" else loss
