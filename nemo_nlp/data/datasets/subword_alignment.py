"""Word-level labels onto sub-tokens: each word is labelled and scored by its first sub-token."""

from dataclasses import dataclass, field

__all__ = ["IGNORE_LABEL", "AlignedSentence", "align_words", "build_label_ids"]

IGNORE_LABEL = -100  # a label the losses skip (the torch / transformers convention)


@dataclass
class AlignedSentence:
    """``[CLS] sub-tokens [SEP]`` of one sentence and its per-sub-token masks and labels.

    ``subtokens_mask`` is 1 at each word's first sub-token; ``loss_mask`` marks
    the sub-tokens the loss sees; ``labels[k]`` holds label set ``k`` per
    sub-token (the word's label on all its sub-tokens, ``pad`` on [CLS]/[SEP]);
    ``num_words`` words fitted into ``max_seq_length``.
    """

    input_ids: list
    subtokens_mask: list
    loss_mask: list
    labels: list = field(default_factory=list)
    num_words: int = 0

    def first_positions(self):
        return [i for i, flag in enumerate(self.subtokens_mask) if flag]


def align_words(words, label_sets, tokenizer, max_seq_length, pad_label_ids, ignore_extra_tokens=True,
                ignore_start_end=True):
    """Tokenise ``words`` and spread each of ``label_sets`` (per-word label ids) onto sub-tokens.

    Words that do not fit into ``max_seq_length`` (with [CLS] and [SEP]) are
    cut off; a word the tokenizer drops entirely becomes one unknown token.
    """
    if max_seq_length < 3:
        raise ValueError(f"max_seq_length must be >= 3 ([CLS] word [SEP]), got {max_seq_length}")
    edge = 0 if ignore_start_end else 1
    out = AlignedSentence([tokenizer.cls_id], [0], [edge], [[pad] for pad in pad_label_ids])
    budget = max_seq_length - 1
    for index, word in enumerate(words):
        pieces = tokenizer.text_to_ids(word) or [tokenizer.unk_id]
        pieces = pieces[: budget - len(out.input_ids)]
        if not pieces:
            break
        out.input_ids += pieces
        out.subtokens_mask += [1] + [0] * (len(pieces) - 1)
        out.loss_mask += [1] + [0 if ignore_extra_tokens else 1] * (len(pieces) - 1)
        for labels, word_labels in zip(out.labels, label_sets):
            labels += [word_labels[index]] * len(pieces)
        out.num_words = index + 1
    out.input_ids.append(tokenizer.sep_id)
    out.subtokens_mask.append(0)
    out.loss_mask.append(edge)
    for labels, pad in zip(out.labels, pad_label_ids):
        labels.append(pad)
    return out


def build_label_ids(label_lists, pad_label="O"):
    """``{label: id}`` with ``pad_label`` first, then the others sorted (deterministic)."""
    seen = {label for labels in label_lists for label in labels}
    seen.discard(pad_label)
    return {label: index for index, label in enumerate([pad_label] + sorted(seen))}
