"""Reusable modules: losses, sequence embedding, zero data."""

from .losses import CrossEntropyLossNM, L1Loss, LossAggregatorNM, MSELoss
from .zero_data import ZerosDataLayer

__all__ = ["CrossEntropyLossNM", "L1Loss", "LossAggregatorNM", "MSELoss", "ZerosDataLayer"]
