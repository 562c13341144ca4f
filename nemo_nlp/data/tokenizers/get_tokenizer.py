"""get_tokenizer: build a tokenizer by name (the 0.10/0.11 entry point)."""

from .bert_tokenizer import NemoBertTokenizer
from .char_tokenizer import CharTokenizer
from .sentencepiece_tokenizer import SentencePieceTokenizer
from .word_tokenizer import WordTokenizer

__all__ = ["get_tokenizer", "TOKENIZERS"]

TOKENIZERS = ("nemobert", "sentencepiece", "char", "word")


def get_tokenizer(tokenizer_name, pretrained_model_name=None, tokenizer_model=None, special_tokens=None,
                  vocab_file=None, do_lower_case=None):
    """``nemobert`` (a model folder/name or a WordPiece ``vocab_file``), ``sentencepiece``
    (``tokenizer_model``, optional ``special_tokens``), ``char`` or ``word`` (``vocab_file``)."""
    name = str(tokenizer_name).lower()
    if name == "nemobert":
        return NemoBertTokenizer(pretrained_model_name, vocab_file=vocab_file, do_lower_case=do_lower_case)
    if name == "sentencepiece":
        if tokenizer_model is None:
            raise ValueError("get_tokenizer('sentencepiece') needs tokenizer_model (a .model file)")
        return SentencePieceTokenizer(tokenizer_model, special_tokens=special_tokens)
    if name == "char":
        return CharTokenizer(vocab_file)
    if name == "word":
        return WordTokenizer(vocab_file)
    raise ValueError(f"unknown tokenizer_name '{tokenizer_name}'; known: {', '.join(TOKENIZERS)}")
