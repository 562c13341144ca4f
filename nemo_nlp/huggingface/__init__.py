"""BERT-family encoders from transformers (legacy ``nemo_nlp.huggingface``)."""

from .bert import BERT

__all__ = ["BERT"]
