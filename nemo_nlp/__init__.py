"""NLP collection: tokenizers, BERT-family encoders, token/sequence heads and NLP tasks."""

from . import data, huggingface, nm, utils
from .data import (
    BertPretrainingDataLayer,
    BertPretrainingPreprocessedDataLayer,
    BertJointIntentSlotDataLayer,
    BertPunctuationCapitalizationDataLayer,
    BertSentenceClassificationDataLayer,
    BertTextClassificationDataLayer,
    BertTokenClassificationDataLayer,
)
from .data.tokenizers import (
    CharTokenizer,
    NemoBertTokenizer,
    SentencePieceTokenizer,
    TokenizerSpec,
    WordTokenizer,
    create_spt_model,
    create_wordpiece_vocab,
    get_tokenizer,
)
from .joint_intent_slot_classifier import JointIntentSlotClassifier
from .losses import JointIntentSlotLoss, MaskedLanguageModelingLossNM, TokenClassificationLoss
from .punct_capit_classifier import PunctCapitTokenClassifier
from .sequence_classifier import SequenceClassifier
from .token_classifier import BertTokenClassifier, TokenClassifier

__all__ = [
    "BertPretrainingDataLayer",
    "BertPretrainingPreprocessedDataLayer",
    "BertJointIntentSlotDataLayer",
    "BertPunctuationCapitalizationDataLayer",
    "BertSentenceClassificationDataLayer",
    "BertTextClassificationDataLayer",
    "JointIntentSlotClassifier",
    "BertTokenClassificationDataLayer",
    "BertTokenClassifier",
    "CharTokenizer",
    "JointIntentSlotLoss",
    "MaskedLanguageModelingLossNM",
    "NemoBertTokenizer",
    "PunctCapitTokenClassifier",
    "SentencePieceTokenizer",
    "SequenceClassifier",
    "TokenClassificationLoss",
    "TokenClassifier",
    "TokenizerSpec",
    "WordTokenizer",
    "create_spt_model",
    "create_wordpiece_vocab",
    "data",
    "get_tokenizer",
    "huggingface",
    "nm",
    "utils",
]
