"""SentencePieceTokenizer and create_spt_model (train a SentencePiece model from text)."""

import os
import re
import shutil
import tempfile

from nemo.utils.atomic import atomic_path

from .tokenizer_spec import TokenizerSpec

__all__ = ["SentencePieceTokenizer", "create_spt_model"]

# Which added special token plays which role (the BERT spellings).
_ROLE_TOKENS = {"pad": "[PAD]", "cls": "[CLS]", "sep": "[SEP]", "mask": "[MASK]", "unk": "[UNK]",
                "bos": "[BOS]", "eos": "[EOS]"}


class SentencePieceTokenizer(TokenizerSpec):
    """A SentencePiece model (``.model`` file), plus special tokens added on top.

    Special tokens (``add_special_tokens(["[MASK]", "[CLS]", "[SEP]"])``) are
    never split; those the model lacks get ids after its own vocabulary.
    ``pad``/``unk``/``bos``/``eos`` fall back to the model's own pieces.
    """

    def __init__(self, model_path, special_tokens=None):
        import sentencepiece as spm

        if not model_path or not os.path.isfile(model_path):
            raise FileNotFoundError(f"SentencePieceTokenizer: model file '{model_path}' does not exist")
        self._sp = spm.SentencePieceProcessor(model_file=model_path)
        self.model_path = model_path
        self._added = {}
        self._roles = {}
        self._split_pattern = None
        if special_tokens:
            self.add_special_tokens(special_tokens)

    def add_special_tokens(self, special_tokens):
        items = special_tokens.items() if isinstance(special_tokens, dict) else [(None, t) for t in special_tokens]
        for role, token in items:
            if self._sp.piece_to_id(token) == self._sp.unk_id() and token not in self._added:
                self._added[token] = self._sp.get_piece_size() + len(self._added)
            if role is not None:
                self._roles[role.replace("_token", "")] = token
        specials = sorted(self._all_special_tokens(), key=len, reverse=True)
        self._split_pattern = re.compile("(" + "|".join(re.escape(t) for t in specials) + ")") if specials else None

    def _all_special_tokens(self):
        return set(self._added) | set(self._roles.values()) | {
            t for t in _ROLE_TOKENS.values() if self._sp.piece_to_id(t) != self._sp.unk_id()}

    def text_to_tokens(self, text):
        tokens = []
        for part in self._split_pattern.split(text) if self._split_pattern else [text]:
            if part in self._added or (self._split_pattern and self._split_pattern.fullmatch(part)):
                tokens.append(part)
            elif part.strip():
                tokens.extend(self._sp.encode(part, out_type=str))
        return tokens

    def tokens_to_text(self, tokens):
        text, pieces = [], []
        for token in tokens:
            if token in self._added or token in self._roles.values():
                if pieces:
                    text.append(self._sp.decode_pieces(pieces))
                    pieces = []
                text.append(token)
            else:
                pieces.append(token)
        if pieces:
            text.append(self._sp.decode_pieces(pieces))
        return " ".join(text)

    def tokens_to_ids(self, tokens):
        return [self._added[t] if t in self._added else self._sp.piece_to_id(t) for t in tokens]

    def ids_to_tokens(self, ids):
        by_id = {i: t for t, i in self._added.items()}
        return [by_id[int(i)] if int(i) in by_id else self._sp.id_to_piece(int(i)) for i in ids]

    @property
    def vocab_size(self):
        return self._sp.get_piece_size() + len(self._added)

    def _special_token(self, role):
        if role in self._roles:
            return self._roles[role]
        token = _ROLE_TOKENS[role]
        if token in self._added or self._sp.piece_to_id(token) != self._sp.unk_id():
            return token
        own_id = {"pad": self._sp.pad_id(), "unk": self._sp.unk_id(), "bos": self._sp.bos_id(),
                  "eos": self._sp.eos_id()}.get(role, -1)
        return self._sp.id_to_piece(own_id) if own_id >= 0 else None


def create_spt_model(data_file, vocab_size, sample_size=-1, do_lower_case=False, output_dir=None,
                     tokenizer_type="unigram", character_coverage=1.0, special_tokens=None):
    """Train a SentencePiece model on the text of ``data_file`` (one sentence a line).

    ``sample_size`` > 0 trains on that many random lines; ``do_lower_case``
    folds case (in the model's normaliser, so encoding folds too);
    ``special_tokens`` are reserved as unsplittable pieces. Writes
    ``tokenizer.model`` and ``vocab.txt`` to ``output_dir`` (default: beside the
    data) and returns their paths ``(model_path, vocab_path)``.
    """
    import sentencepiece as spm

    if not os.path.isfile(data_file):
        raise FileNotFoundError(f"create_spt_model: data file '{data_file}' does not exist")
    if os.path.getsize(data_file) == 0:
        raise ValueError(f"create_spt_model: data file '{data_file}' is empty")
    output_dir = output_dir or os.path.join(os.path.dirname(os.path.abspath(data_file)), "tokenizer_spe")
    os.makedirs(output_dir, exist_ok=True)
    model_path = os.path.join(output_dir, "tokenizer.model")
    options = dict(
        input=data_file, vocab_size=vocab_size, model_type=tokenizer_type, character_coverage=character_coverage,
        pad_id=0, unk_id=1, bos_id=2, eos_id=3, hard_vocab_limit=False, minloglevel=2,
        normalization_rule_name="nmt_nfkc_cf" if do_lower_case else "nmt_nfkc",
    )
    if special_tokens:
        options["user_defined_symbols"] = list(special_tokens)
    if sample_size and sample_size > 0:
        options.update(input_sentence_size=sample_size, shuffle_input_sentence=True)
    with tempfile.TemporaryDirectory(dir=output_dir) as work:
        spm.SentencePieceTrainer.train(model_prefix=os.path.join(work, "spm"), **options)
        with atomic_path(model_path) as tmp_model:
            shutil.copyfile(os.path.join(work, "spm.model"), tmp_model)
    sp = spm.SentencePieceProcessor(model_file=model_path)
    vocab_path = os.path.join(output_dir, "vocab.txt")
    with atomic_path(vocab_path) as tmp_vocab, open(tmp_vocab, "w", encoding="utf-8") as handle:
        handle.write("".join(sp.id_to_piece(i) + "\n" for i in range(sp.get_piece_size())))
    return model_path, vocab_path
