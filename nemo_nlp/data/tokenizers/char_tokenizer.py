"""CharTokenizer: one token per character."""

from .vocabulary import VocabularyTokenizer

__all__ = ["CharTokenizer"]


class CharTokenizer(VocabularyTokenizer):
    """Characters as tokens, from a vocabulary file (one token a line).

    Special tokens (``<pad>``, ``<unk>``, ``<bos>``, ``<eos>``, ...) are lines of
    the file; a space is written as the line ``<space>``. Unknown characters
    map to the unknown token. Round-trips every text made of known characters.
    """

    def text_to_tokens(self, text):
        return list(text)

    def tokens_to_text(self, tokens):
        return "".join(tokens)

    def _read_token(self, line):
        return " " if line == "<space>" else line
