"""ZerosLikeNM: zeros shaped like its input (token type ids of one-segment text)."""

import torch

from ....core.neural_types import ChannelType, NeuralType
from ..nm import NonTrainableNM

__all__ = ["ZerosLikeNM"]


class ZerosLikeNM(NonTrainableNM):
    """Integer zeros of the input's shape.

    Input port: ``input_type_ids`` (B, T). Output port: ``input_type_ids`` (B, T).
    """

    @property
    def input_ports(self):
        return {"input_type_ids": NeuralType(("B", "T"), ChannelType())}

    @property
    def output_ports(self):
        return {"input_type_ids": NeuralType(("B", "T"), ChannelType())}

    def forward(self, input_type_ids):
        return torch.zeros_like(input_type_ids, dtype=torch.long)
