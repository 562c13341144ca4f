"""Losses under their 0.10 import path."""

from ..losses import JointIntentSlotLoss, MaskedLanguageModelingLossNM, TokenClassificationLoss

__all__ = ["JointIntentSlotLoss", "MaskedLanguageModelingLossNM", "TokenClassificationLoss"]
