"""Trainable modules under their 0.10 import path, and ``get_pretrained_lm_model``."""

from ..huggingface import BERT
from ..joint_intent_slot_classifier import JointIntentSlotClassifier
from ..punct_capit_classifier import PunctCapitTokenClassifier
from ..sequence_classifier import SequenceClassifier
from ..token_classifier import BertTokenClassifier, TokenClassifier

__all__ = [
    "BERT",
    "BertTokenClassifier",
    "JointIntentSlotClassifier",
    "PunctCapitTokenClassifier",
    "SequenceClassifier",
    "TokenClassifier",
    "get_pretrained_lm_model",
]


def get_pretrained_lm_model(pretrained_model_name, config=None, vocab=None, checkpoint=None):
    """A BERT-family encoder: from ``config`` (a JSON file) if given, else the pretrained
    folder/cached name; then ``checkpoint`` (a module checkpoint of this toolkit) is loaded.
    ``vocab`` is accepted for the 0.10 signature; the tokenizer reads it, not the model."""
    model = BERT(config_filename=config) if config else BERT(pretrained_model_name=pretrained_model_name)
    if checkpoint:
        model.restore_from(checkpoint)
    return model
