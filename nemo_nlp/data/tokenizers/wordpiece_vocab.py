"""create_wordpiece_vocab: train a WordPiece vocabulary (BERT's ``vocab.txt``) on text."""

import os

from nemo.utils.atomic import atomic_path

__all__ = ["create_wordpiece_vocab"]

BERT_SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def create_wordpiece_vocab(data_file, vocab_size, do_lower_case=True, output_dir=None):
    """Train WordPiece on ``data_file`` (Hugging Face ``tokenizers``); write ``vocab.txt``
    (BERT's special tokens first) to ``output_dir`` and return its path. Load it with
    ``NemoBertTokenizer(vocab_file=..., do_lower_case=...)``."""
    from tokenizers import BertWordPieceTokenizer

    if not os.path.isfile(data_file):
        raise FileNotFoundError(f"create_wordpiece_vocab: data file '{data_file}' does not exist")
    output_dir = output_dir or os.path.join(os.path.dirname(os.path.abspath(data_file)), "tokenizer_wordpiece")
    trainer = BertWordPieceTokenizer(lowercase=do_lower_case, strip_accents=do_lower_case)
    trainer.train([data_file], vocab_size=vocab_size, special_tokens=BERT_SPECIAL_TOKENS, show_progress=False)
    vocab = sorted(trainer.get_vocab().items(), key=lambda item: item[1])
    path = os.path.join(output_dir, "vocab.txt")
    os.makedirs(output_dir, exist_ok=True)
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8") as handle:
        handle.write("".join(f"{token}\n" for token, _ in vocab))
    return path
