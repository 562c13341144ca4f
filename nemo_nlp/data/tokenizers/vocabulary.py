"""A tokenizer whose ids come from a vocabulary file: shared by CharTokenizer and WordTokenizer."""

import os

from .tokenizer_spec import TokenizerSpec

__all__ = ["VocabularyTokenizer", "write_vocab"]

_SPECIAL_SPELLINGS = {
    "pad": ("<pad>", "[PAD]"), "unk": ("<unk>", "[UNK]"), "bos": ("<bos>", "<s>", "[BOS]"),
    "eos": ("<eos>", "</s>", "[EOS]"), "cls": ("[CLS]", "<cls>"), "sep": ("[SEP]", "<sep>"),
    "mask": ("[MASK]", "<mask>"),
}


class VocabularyTokenizer(TokenizerSpec):
    """Token ⇄ id by a vocabulary file; subclasses define how text splits into tokens."""

    def __init__(self, vocab_file):
        if not vocab_file or not os.path.isfile(vocab_file):
            raise FileNotFoundError(f"{type(self).__name__}: vocabulary file '{vocab_file}' does not exist")
        with open(vocab_file, encoding="utf-8") as handle:
            tokens = [self._read_token(line.rstrip("\n")) for line in handle if line.rstrip("\n")]
        self._ids = {}
        for token in tokens:
            self._ids.setdefault(token, len(self._ids))
        self._tokens = list(self._ids)
        self.vocab_file = vocab_file
        if self._special_token("unk") is None:
            raise ValueError(f"{vocab_file}: the vocabulary needs an unknown token (<unk> or [UNK])")

    def _read_token(self, line):
        return line

    def tokens_to_ids(self, tokens):
        unk = self._ids[self._special_token("unk")]
        return [self._ids.get(token, unk) for token in tokens]

    def ids_to_tokens(self, ids):
        return [self._tokens[int(i)] for i in ids]

    @property
    def vocab_size(self):
        return len(self._tokens)

    def _special_token(self, role):
        return next((t for t in _SPECIAL_SPELLINGS[role] if t in self._ids), None)


def write_vocab(tokens, path, special_tokens=("<pad>", "<unk>", "<bos>", "<eos>")):
    """Write a vocabulary file: the special tokens, then ``tokens`` (spaces as ``<space>``)."""
    from nemo.utils.atomic import atomic_path

    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8") as handle:
        for token in list(special_tokens) + [t for t in tokens if t not in special_tokens]:
            handle.write(("<space>" if token == " " else token) + "\n")
    return path
