"""NLP data: tokenizers, datasets and the data layers of each task."""

from . import datasets, tokenizers
from .bert_pretraining_data_layer import BertPretrainingDataLayer, BertPretrainingPreprocessedDataLayer
from .joint_intent_slot_data_layer import BertJointIntentSlotDataLayer
from .punctuation_data_layer import BertPunctuationCapitalizationDataLayer
from .query_data_layer import BertTokenClassificationInferDataLayer
from .sentence_classification_data_layer import (
    BertSentenceClassificationDataLayer,
    BertTextClassificationDataLayer,
    BertTextClassificationInferDataLayer,
)
from .text_data_layer import TextDataLayer
from .token_classification_data_layer import BertTokenClassificationDataLayer

__all__ = [
    "BertPretrainingDataLayer",
    "BertPretrainingPreprocessedDataLayer",
    "BertJointIntentSlotDataLayer",
    "BertPunctuationCapitalizationDataLayer",
    "BertSentenceClassificationDataLayer",
    "BertTextClassificationDataLayer",
    "BertTextClassificationInferDataLayer",
    "BertTokenClassificationDataLayer",
    "BertTokenClassificationInferDataLayer",
    "TextDataLayer",
    "datasets",
    "tokenizers",
]
