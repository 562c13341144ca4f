"""TokenizerSpec: the interface every tokenizer of the collection implements."""

from abc import ABC, abstractmethod

__all__ = ["TokenizerSpec"]


class TokenizerSpec(ABC):
    """Text ⇄ tokens ⇄ ids, plus the ids of the special tokens.

    Subclasses implement the four conversions below and ``vocab_size``;
    ``text_to_ids`` / ``ids_to_text`` compose them. A special token a
    tokenizer does not have raises :class:`ValueError` naming it.
    """

    @abstractmethod
    def text_to_tokens(self, text):
        """Split ``text`` into tokens (strings)."""

    @abstractmethod
    def tokens_to_text(self, tokens):
        """Join tokens back into text."""

    @abstractmethod
    def tokens_to_ids(self, tokens):
        """Token strings to integer ids."""

    @abstractmethod
    def ids_to_tokens(self, ids):
        """Integer ids to token strings."""

    @property
    @abstractmethod
    def vocab_size(self):
        """Number of ids (special tokens included)."""

    def text_to_ids(self, text):
        return self.tokens_to_ids(self.text_to_tokens(text))

    def ids_to_text(self, ids):
        """Text of ``ids``; special tokens are left out."""
        special = set(self.special_ids)
        return self.tokens_to_text(self.ids_to_tokens([i for i in ids if i not in special]))

    def add_special_tokens(self, special_tokens):
        """Add tokens that are never split (e.g. ``[MASK]``); a list, or a dict role → token."""
        raise NotImplementedError(f"{type(self).__name__} does not take extra special tokens")

    # Special tokens: a subclass maps each role to its token string.
    def _special_token(self, role):
        """The token string of ``role`` (``pad``, ``unk``, ``bos``, ``eos``, ``cls``, ``sep``, ``mask``) or None."""
        return None

    def _special_id(self, role):
        token = self._special_token(role)
        if token is None:
            raise ValueError(f"{type(self).__name__} has no {role} token; add one with add_special_tokens")
        return self.tokens_to_ids([token])[0]

    pad_id = property(lambda self: self._special_id("pad"))
    unk_id = property(lambda self: self._special_id("unk"))
    bos_id = property(lambda self: self._special_id("bos"))
    eos_id = property(lambda self: self._special_id("eos"))
    cls_id = property(lambda self: self._special_id("cls"))
    sep_id = property(lambda self: self._special_id("sep"))
    mask_id = property(lambda self: self._special_id("mask"))

    @property
    def special_ids(self):
        """Ids of every special token this tokenizer has."""
        roles = ("pad", "unk", "bos", "eos", "cls", "sep", "mask")
        return sorted({self._special_id(role) for role in roles if self._special_token(role) is not None})
