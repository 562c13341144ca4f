"""Text-only data layer for synthesis: sentences from a manifest's ``text`` fields or a text file."""
import json
import os

import torch
from torch.utils.data import Dataset

from nemo.backends.pytorch import DataLayerNM
from nemo.core.neural_types import LabelsType, LengthsType, NeuralType
from nemo_asr.parts.text import CharParser

__all__ = ["TextDataLayer", "read_sentences"]


def read_sentences(path):
    """Sentences of a JSON-lines manifest (``text`` of each line) or of a plain text file (one per line)."""
    if not os.path.isfile(path):
        raise FileNotFoundError(f"sentence file not found: {path}")
    sentences = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            line = line.strip()
            if not line:
                continue
            if line.startswith("{"):
                try:
                    sentences.append(json.loads(line)["text"])
                except (ValueError, KeyError) as err:
                    raise ValueError(f"{path}:{number}: expected a JSON object with a 'text' key ({err})") from None
            else:
                sentences.append(line)
    if not sentences:
        raise ValueError(f"{path}: no sentences")
    return sentences


class _SentenceDataset(Dataset):
    def __init__(self, sentences, labels, bos_id, eos_id, pad_id):
        parser = CharParser(labels, do_normalize=False, do_lowercase=False)
        self.sentences = list(sentences)
        self.tokens = []
        for index, sentence in enumerate(self.sentences):
            ids, unknown = parser.encode(sentence)
            if unknown:
                raise ValueError(f"sentence {index} ({sentence!r}) has characters that are not labels: "
                                 f"{''.join(sorted(set(unknown)))!r}")
            self.tokens.append(torch.tensor([bos_id] + ids + [eos_id], dtype=torch.int64))
        self.pad_id = pad_id

    def __len__(self):
        return len(self.tokens)

    def __getitem__(self, index):
        return self.tokens[index]

    def collate_fn(self, batch):
        lengths = torch.tensor([len(ids) for ids in batch], dtype=torch.int64)
        padded = torch.full((len(batch), int(lengths.max())), self.pad_id, dtype=torch.int64)
        for row, ids in enumerate(batch):
            padded[row, : len(ids)] = ids
        return padded, lengths


class TextDataLayer(DataLayerNM):
    """Symbol ids of sentences, in order, for Tacotron 2 inference (case and punctuation kept).

    ``sentences`` is a list of strings or a path (see :func:`read_sentences`); every character
    must be one of ``labels``.

    Output ports: ``transcripts`` (B, T) ids with ``bos_id``/``eos_id`` around each sentence and
    ``pad_id`` padding, ``transcript_length`` (B,).
    """

    def __init__(self, sentences, labels, batch_size, bos_id, eos_id, pad_id, name=None, **kwargs):
        super().__init__(name=name, batch_size=batch_size, shuffle=False, **kwargs)
        if isinstance(sentences, (str, os.PathLike)):
            sentences = read_sentences(sentences)
        self._dataset = _SentenceDataset(sentences, labels, bos_id, eos_id, pad_id)

    @property
    def output_ports(self):
        return {"transcripts": NeuralType(("B", "T"), LabelsType()),
                "transcript_length": NeuralType(tuple("B"), LengthsType())}

    @property
    def dataset(self):
        return self._dataset

    @property
    def sentences(self):
        return self._dataset.sentences
