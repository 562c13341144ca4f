"""Tokenizers: BERT WordPiece/BPE, SentencePiece, characters, words."""

from .bert_tokenizer import NemoBertTokenizer
from .char_tokenizer import CharTokenizer
from .get_tokenizer import TOKENIZERS, get_tokenizer
from .sentencepiece_tokenizer import SentencePieceTokenizer, create_spt_model
from .tokenizer_spec import TokenizerSpec
from .vocabulary import write_vocab
from .word_tokenizer import WordTokenizer
from .wordpiece_vocab import create_wordpiece_vocab

__all__ = [
    "CharTokenizer",
    "NemoBertTokenizer",
    "SentencePieceTokenizer",
    "TOKENIZERS",
    "TokenizerSpec",
    "WordTokenizer",
    "create_spt_model",
    "create_wordpiece_vocab",
    "get_tokenizer",
    "write_vocab",
]
