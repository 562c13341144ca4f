"""NemoBertTokenizer: the WordPiece/BPE tokenizer of a local BERT-family model folder."""

import json
import os

from ...utils.pretrained_files import resolve_model_dir
from .tokenizer_spec import TokenizerSpec

__all__ = ["NemoBertTokenizer"]

_ROLE_ATTRS = {"pad": "pad_token", "unk": "unk_token", "cls": "cls_token", "sep": "sep_token",
               "mask": "mask_token", "bos": "cls_token", "eos": "sep_token"}


def _config_lower_case(model_dir):
    """``do_lower_case`` from the folder's tokenizer_config.json, or None if it does not say."""
    path = os.path.join(model_dir, "tokenizer_config.json")
    if not os.path.isfile(path):
        return None
    with open(path, encoding="utf-8") as handle:
        try:
            return json.load(handle).get("do_lower_case")
        except json.JSONDecodeError as error:
            raise ValueError(f"{path}: not valid JSON ({error})") from error


class NemoBertTokenizer(TokenizerSpec):
    """Tokenizer of a BERT-family model (BERT, RoBERTa, ALBERT, DistilBERT, ...).

    ``pretrained_model`` is a folder in the Hugging Face layout or a name in
    the local Hugging Face cache. Lower-casing follows the folder's
    ``tokenizer_config.json`` unless ``do_lower_case`` is given. With only a
    ``vocab_file`` a WordPiece tokenizer is built (``do_lower_case`` default True).
    ``bos``/``eos`` are the ``cls``/``sep`` tokens, as BERT uses them.
    """

    def __init__(self, pretrained_model=None, vocab_file=None, do_lower_case=None, **kwargs):
        from transformers import AutoTokenizer, BertTokenizer

        if pretrained_model is None and vocab_file is None:
            raise ValueError("NemoBertTokenizer needs pretrained_model (a model folder or cached name) or vocab_file")
        if pretrained_model is not None:
            model_dir = resolve_model_dir(pretrained_model)
            if do_lower_case is None:
                do_lower_case = _config_lower_case(model_dir)
            options = {} if do_lower_case is None else {"do_lower_case": do_lower_case}
            self._tokenizer = AutoTokenizer.from_pretrained(model_dir, local_files_only=True, **options)
        else:
            if not os.path.isfile(vocab_file):
                raise FileNotFoundError(f"NemoBertTokenizer: vocab_file '{vocab_file}' does not exist")
            self._tokenizer = BertTokenizer(vocab_file, do_lower_case=True if do_lower_case is None else do_lower_case)
        self.do_lower_case = bool(do_lower_case) if do_lower_case is not None else False
        self._vocab = self._tokenizer.get_vocab()

    @property
    def tokenizer(self):
        """The underlying transformers tokenizer."""
        return self._tokenizer

    def text_to_tokens(self, text):
        return self._tokenizer.tokenize(text)

    def tokens_to_text(self, tokens):
        return self._tokenizer.convert_tokens_to_string(list(tokens)).strip()

    def tokens_to_ids(self, tokens):
        unk = self._vocab.get(self._tokenizer.unk_token)
        return [self._vocab.get(token, unk) for token in tokens]

    def ids_to_tokens(self, ids):
        return self._tokenizer.convert_ids_to_tokens([int(i) for i in ids])

    @property
    def vocab_size(self):
        return len(self._vocab)

    def add_special_tokens(self, special_tokens):
        tokens = list(special_tokens.values()) if isinstance(special_tokens, dict) else list(special_tokens)
        self._tokenizer.add_special_tokens({"additional_special_tokens": tokens})
        self._vocab = self._tokenizer.get_vocab()

    def _special_token(self, role):
        return getattr(self._tokenizer, _ROLE_ATTRS[role], None)
