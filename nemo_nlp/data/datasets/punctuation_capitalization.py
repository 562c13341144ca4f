"""Punctuation and capitalization data: text.txt + labels.txt with two-letter word labels.

A label is the punctuation mark that follows the word (``O`` for none) and ``U``
(the word starts with a capital) or ``O``: ``OU`` ``,O`` ``.U`` ...
"""

from .padded import PaddedDataset
from .subword_alignment import align_words, build_label_ids
from .text_files import LabelledTextError

__all__ = ["PunctuationCapitalizationDataset", "split_labels"]

OUTPUTS = ("input_ids", "input_type_ids", "input_mask", "loss_mask", "subtokens_mask", "punct_labels",
           "capit_labels")


def split_labels(sentences, source):
    """``[(words, punct labels, capit labels)]`` from ``[(words, two-letter labels)]``."""
    out = []
    for number, (words, labels) in enumerate(sentences, start=1):
        bad = [label for label in labels if len(label) != 2]
        if bad:
            raise LabelledTextError(f"{source}, line {number}: labels {bad} are not two letters (punctuation, U/O)")
        out.append((words, [label[0] for label in labels], [label[1] for label in labels]))
    return out


class PunctuationCapitalizationDataset(PaddedDataset):
    """Words with a punctuation and a capitalization label each (first sub-token labelled).

    ``punct_label_ids`` / ``capit_label_ids`` default to ids built from the data
    with ``pad_label`` first. Batch: see ``OUTPUTS``.
    """

    output_names = OUTPUTS

    def __init__(self, sentences, tokenizer, max_seq_length, source="", pad_label="O", punct_label_ids=None,
                 capit_label_ids=None, ignore_extra_tokens=True, ignore_start_end=True):
        super().__init__()
        rows = split_labels(sentences, source)
        self.punct_label_ids = punct_label_ids or build_label_ids([p for _, p, _ in rows], pad_label)
        self.capit_label_ids = capit_label_ids or build_label_ids([c for _, _, c in rows], pad_label)
        self.pad_values = {"input_ids": tokenizer.pad_id}
        pads = [self.punct_label_ids[pad_label], self.capit_label_ids[pad_label]]
        for words, punct, capit in rows:
            ids = [[self.punct_label_ids[p] for p in punct], [self.capit_label_ids[c] for c in capit]]
            aligned = align_words(words, ids, tokenizer, max_seq_length, pads, ignore_extra_tokens, ignore_start_end)
            self.samples.append({
                "input_ids": aligned.input_ids, "input_type_ids": [0] * len(aligned.input_ids),
                "input_mask": [1] * len(aligned.input_ids), "loss_mask": aligned.loss_mask,
                "subtokens_mask": aligned.subtokens_mask, "punct_labels": aligned.labels[0],
                "capit_labels": aligned.labels[1],
            })
