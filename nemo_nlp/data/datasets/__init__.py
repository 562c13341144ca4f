"""Plain torch datasets of the NLP tasks and the readers of their file layouts."""

from .padded import PaddedDataset
from .subword_alignment import IGNORE_LABEL, align_words, build_label_ids
from .text_files import LabelledTextError, read_conll, read_text_and_labels
from .token_classification import TokenClassificationDataset

__all__ = [
    "IGNORE_LABEL",
    "LabelledTextError",
    "PaddedDataset",
    "TokenClassificationDataset",
    "align_words",
    "build_label_ids",
    "read_conll",
    "read_text_and_labels",
]
