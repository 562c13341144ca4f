"""Readers of the labelled-text layouts: CoNLL/IOB columns and text.txt + labels.txt."""

import os

__all__ = ["LabelledTextError", "read_conll", "read_text_and_labels", "read_lines"]


class LabelledTextError(ValueError):
    """A malformed line in a labelled text file."""


def read_lines(path):
    """The lines of a text file (without newlines); a clear error when it is missing."""
    if not os.path.isfile(path):
        raise FileNotFoundError(f"data file '{path}' does not exist")
    with open(path, encoding="utf-8") as handle:
        return [line.rstrip("\n").rstrip("\r") for line in handle]


def read_conll(path):
    """Sentences of a CoNLL/IOB file as ``[(words, labels)]``.

    One token a line: the word in the first column, its label in the last
    (columns split at tabs or spaces, so POS/chunk columns in between are
    fine). A blank or whitespace-only line ends a sentence; ``-DOCSTART-``
    lines are skipped.
    """
    sentences, words, labels = [], [], []
    for number, line in enumerate(read_lines(path), start=1):
        columns = line.split()
        if not columns:
            if words:
                sentences.append((words, labels))
                words, labels = [], []
            continue
        if columns[0] == "-DOCSTART-":
            continue
        if len(columns) < 2:
            raise LabelledTextError(f"{path}, line {number}: expected 'WORD<TAB>LABEL', got {line!r}")
        words.append(columns[0])
        labels.append(columns[-1])
    if words:
        sentences.append((words, labels))
    if not sentences:
        raise LabelledTextError(f"{path}: no sentences found")
    return sentences


def read_text_and_labels(text_file, label_file):
    """Sentences of the 0.10 layout: ``text_file`` has one sentence a line (words
    split by spaces), ``label_file`` the same number of labels on the same line."""
    texts, label_lines = read_lines(text_file), read_lines(label_file)
    if len(texts) != len(label_lines):
        raise LabelledTextError(
            f"{text_file} has {len(texts)} lines but {label_file} has {len(label_lines)}; they must match")
    sentences = []
    for number, (text, labels) in enumerate(zip(texts, label_lines), start=1):
        words, tags = text.split(), labels.split()
        if len(words) != len(tags):
            raise LabelledTextError(
                f"{text_file} / {label_file}, line {number}: {len(words)} words but {len(tags)} labels")
        if words:
            sentences.append((words, tags))
    return sentences
