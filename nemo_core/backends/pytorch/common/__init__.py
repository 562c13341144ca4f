"""Reusable modules: losses, classification heads, zeros, pretrained-model info."""

from .losses import CrossEntropyLossNM, L1Loss, LossAggregatorNM, MSELoss, SequenceLoss
from .multi_layer_perceptron import MLP, MultiLayerPerceptron
from .pretrained import PretrainedModelInfo
from .zero_data import ZerosDataLayer
from .zeros_like import ZerosLikeNM

__all__ = [
    "CrossEntropyLossNM",
    "L1Loss",
    "LossAggregatorNM",
    "MLP",
    "MSELoss",
    "MultiLayerPerceptron",
    "PretrainedModelInfo",
    "SequenceLoss",
    "ZerosDataLayer",
    "ZerosLikeNM",
]
