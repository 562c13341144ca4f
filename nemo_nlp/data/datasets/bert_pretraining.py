"""BERT pretraining examples from raw text: sentence pairs for next-sentence prediction,
with masked-language-model targets drawn anew each time a sample is read.

Text layout: one sentence a line; a blank line ends a document.
"""

import os

import torch

from .padded import PaddedDataset
from .text_files import read_lines

__all__ = ["BertPretrainingDataset", "read_documents"]


def read_documents(path):
    """Documents (lists of sentences) of a text file, or of every ``.txt`` file in a folder."""
    files = [path]
    if os.path.isdir(path):
        files = sorted(os.path.join(path, f) for f in os.listdir(path) if f.endswith(".txt"))
        if not files:
            raise FileNotFoundError(f"{path}: no .txt files to pretrain on")
    documents = []
    for name in files:
        current = []
        for line in read_lines(name) + [""]:
            if line.strip():
                current.append(line.strip())
            elif current:
                documents.append(current)
                current = []
    if len(documents) < 2:
        raise ValueError(f"{path}: need at least 2 documents (separated by blank lines) for next-sentence pairs")
    return documents


class BertPretrainingDataset(PaddedDataset):
    """``[CLS] A [SEP] B [SEP]`` pairs: B follows A in its document (label 0) or is a
    sentence of another document (label 1), chosen at random per read.

    ``mask_probability`` of the non-special tokens become targets (``output_mask``):
    80% replaced by [MASK], 10% by a random token, 10% kept. Random draws use
    torch's global generator (seeded by the factory, saved in checkpoints).
    Batch: ``input_ids, input_type_ids, input_mask, output_ids, output_mask, labels``.
    """

    output_names = ("input_ids", "input_type_ids", "input_mask", "output_ids", "output_mask", "labels")

    def __init__(self, tokenizer, path, max_seq_length, mask_probability=0.15):
        super().__init__()
        if max_seq_length < 8:
            raise ValueError(f"max_seq_length must be >= 8 for sentence pairs, got {max_seq_length}")
        self.tokenizer = tokenizer
        self.max_seq_length = max_seq_length
        self.mask_probability = mask_probability
        self.pad_values = {"input_ids": tokenizer.pad_id}
        self._special = set(tokenizer.special_ids)
        self.documents = [[tokenizer.text_to_ids(s) for s in doc] for doc in read_documents(path)]
        self.positions = [(d, i) for d, doc in enumerate(self.documents) for i in range(len(doc) - 1)]
        if not self.positions:
            raise ValueError(f"{path}: documents need at least 2 sentences each for next-sentence pairs")

    def __len__(self):
        return len(self.positions)

    def _random_int(self, high):
        return int(torch.randint(high, ()).item())

    def __getitem__(self, index):
        doc, sent = self.positions[index]
        first = self.documents[doc][sent]
        if torch.rand(()).item() < 0.5:
            second, label = self.documents[doc][sent + 1], 0
        else:
            other = self._random_int(len(self.documents) - 1)
            other += other >= doc
            sentences = self.documents[other]
            second, label = sentences[self._random_int(len(sentences))], 1
        budget = self.max_seq_length - 3
        first = first[: max(budget // 2, budget - len(second))]
        second = second[: budget - len(first)]
        ids = [self.tokenizer.cls_id] + first + [self.tokenizer.sep_id] + second + [self.tokenizer.sep_id]
        types = [0] * (len(first) + 2) + [1] * (len(second) + 1)
        input_ids, output_mask = self._mask(ids)
        return {"input_ids": input_ids, "input_type_ids": types, "input_mask": [1] * len(ids), "output_ids": ids,
                "output_mask": output_mask, "labels": label}

    def _mask(self, ids):
        ids_t = torch.tensor(ids)
        candidates = torch.tensor([i not in self._special for i in ids])
        chosen = (torch.rand(len(ids)) < self.mask_probability) & candidates
        if not chosen.any():
            options = candidates.nonzero().flatten()
            chosen[options[self._random_int(len(options))]] = True
        roll = torch.rand(len(ids))
        masked = torch.where(chosen & (roll < 0.8), torch.full_like(ids_t, self.tokenizer.mask_id), ids_t)
        random_ids = torch.randint(self.tokenizer.vocab_size, (len(ids),))
        masked = torch.where(chosen & (roll >= 0.8) & (roll < 0.9), random_ids, masked)
        return masked.tolist(), chosen.long().tolist()
