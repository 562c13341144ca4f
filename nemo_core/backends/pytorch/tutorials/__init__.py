"""Toy modules for the ``start_here`` examples."""

from ..common.losses import L1Loss, MSELoss
from .toys import CrossEntropyLoss, RealFunctionDataLayer, TaylorNet

__all__ = ["CrossEntropyLoss", "L1Loss", "MSELoss", "RealFunctionDataLayer", "TaylorNet"]
