"""WordTokenizer: whitespace-separated words as tokens."""

from .vocabulary import VocabularyTokenizer

__all__ = ["WordTokenizer"]


class WordTokenizer(VocabularyTokenizer):
    """Words (split at whitespace) as tokens, from a vocabulary file (one token a line).

    Unknown words map to the unknown token. Round-trips text whose words are
    all known and separated by single spaces.
    """

    def text_to_tokens(self, text):
        return text.split()

    def tokens_to_text(self, tokens):
        return " ".join(tokens)
