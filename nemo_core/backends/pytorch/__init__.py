"""The PyTorch backend: module kinds, the action runner and its parts."""

from . import common, tutorials
from .actions import PtActions
from .nm import DataLayerNM, LossNM, NonTrainableNM, TrainableNM
from .optimizers import AVAILABLE_OPTIMIZERS, Novograd, get_optimizer, register_optimizer

__all__ = [
    "AVAILABLE_OPTIMIZERS",
    "DataLayerNM",
    "LossNM",
    "NonTrainableNM",
    "Novograd",
    "PtActions",
    "TrainableNM",
    "common",
    "get_optimizer",
    "register_optimizer",
    "tutorials",
]
