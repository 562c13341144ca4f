"""NLP data: tokenizers, datasets and the data layers of each task."""

from . import datasets, tokenizers
from .text_data_layer import TextDataLayer
from .token_classification_data_layer import BertTokenClassificationDataLayer

__all__ = ["BertTokenClassificationDataLayer", "TextDataLayer", "datasets", "tokenizers"]
