"""PaddedDataset: samples of variable length, padded per batch to the longest."""

import torch
from torch.utils.data import Dataset

__all__ = ["PaddedDataset"]


class PaddedDataset(Dataset):
    """Samples are dicts of ints or int lists; a batch is the tuple ``output_names``.

    Lists are padded to the longest in the batch (not to ``max_seq_length``)
    with ``pad_values[name]`` (default 0). Subclasses fill ``self.samples``
    and set ``output_names`` and ``pad_values``.
    """

    output_names = ()
    pad_values = {}

    def __init__(self):
        self.samples = []

    def __len__(self):
        return len(self.samples)

    def __getitem__(self, index):
        return self.samples[index]

    def collate_fn(self, batch):
        return tuple(self._stack(name, [sample[name] for sample in batch]) for name in self.output_names)

    def _stack(self, name, values):
        if not isinstance(values[0], (list, tuple)):
            return torch.tensor(values, dtype=torch.long)
        longest = max(len(v) for v in values)
        padded = torch.full((len(values), longest), self.pad_values.get(name, 0), dtype=torch.long)
        for row, value in enumerate(values):
            padded[row, : len(value)] = torch.as_tensor(value, dtype=torch.long)
        return padded
