"""Data layers under their 0.10 import path."""

from ..data import (
    BertJointIntentSlotDataLayer,
    BertPretrainingDataLayer,
    BertPretrainingPreprocessedDataLayer,
    BertPunctuationCapitalizationDataLayer,
    BertTextClassificationDataLayer,
    BertTextClassificationInferDataLayer,
    BertTokenClassificationDataLayer,
    BertTokenClassificationInferDataLayer,
)

__all__ = [
    "BertJointIntentSlotDataLayer",
    "BertPretrainingDataLayer",
    "BertPretrainingPreprocessedDataLayer",
    "BertPunctuationCapitalizationDataLayer",
    "BertTextClassificationDataLayer",
    "BertTextClassificationInferDataLayer",
    "BertTokenClassificationDataLayer",
    "BertTokenClassificationInferDataLayer",
]
