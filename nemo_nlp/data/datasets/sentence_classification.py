"""Sentence classification data: ``sentence<TAB>label`` lines (a header line is skipped)."""

from .padded import PaddedDataset
from .text_files import LabelledTextError, read_lines

__all__ = ["SentenceClassificationDataset", "encode_sentence", "read_sentence_labels"]


def read_sentence_labels(path):
    """``[(sentence, label id)]`` of a TSV file whose lines end in an integer label."""
    rows = []
    for number, line in enumerate(read_lines(path), start=1):
        if not line.strip() or (number == 1 and line.split("\t")[-1].strip() == "label"):
            continue
        sentence, _, label = line.rpartition("\t")
        if not sentence or not label.strip().lstrip("-").isdigit():
            raise LabelledTextError(f"{path}, line {number}: expected 'SENTENCE<TAB>INTEGER_LABEL', got {line!r}")
        rows.append((sentence, int(label)))
    if not rows:
        raise LabelledTextError(f"{path}: no sentences found")
    return rows


def encode_sentence(sentence, tokenizer, max_seq_length):
    """``[CLS] sub-tokens [SEP]`` ids, cut to ``max_seq_length``."""
    return [tokenizer.cls_id] + tokenizer.text_to_ids(sentence)[: max_seq_length - 2] + [tokenizer.sep_id]


class SentenceClassificationDataset(PaddedDataset):
    """One label per sentence. Batch: ``input_ids, input_type_ids, input_mask, labels``
    (``labels`` omitted when ``rows`` carry ``None`` labels, i.e. raw queries)."""

    def __init__(self, rows, tokenizer, max_seq_length):
        super().__init__()
        self.rows = rows
        with_labels = all(label is not None for _, label in rows)
        self.output_names = ("input_ids", "input_type_ids", "input_mask") + (("labels",) if with_labels else ())
        self.pad_values = {"input_ids": tokenizer.pad_id}
        for sentence, label in rows:
            ids = encode_sentence(sentence, tokenizer, max_seq_length)
            self.samples.append({"input_ids": ids, "input_type_ids": [0] * len(ids), "input_mask": [1] * len(ids),
                                 "labels": label})
