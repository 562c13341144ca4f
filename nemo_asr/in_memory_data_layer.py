"""AudioInMemoryDataLayer: waveforms from numpy arrays or a generator, no files."""

import numpy as np
import torch
from torch.utils.data import Dataset

from nemo.backends.pytorch import DataLayerNM
from nemo.core.neural_types import AudioSignal, LengthsType, NeuralType

__all__ = ["AudioInMemoryDataLayer"]


def _as_tensor(samples, where):
    array = np.asarray(samples, dtype=np.float32)
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"AudioInMemoryDataLayer: {where} must be a non-empty 1-D waveform, got shape {array.shape}")
    return torch.from_numpy(np.ascontiguousarray(array))


def pad_audio(items):
    """``[(audio [T], T), ...]`` -> ``audio [B, Tmax]`` (zero padded), ``lengths [B]``."""
    lengths = torch.tensor([len(a) for a, _ in items], dtype=torch.int64)
    batch = torch.zeros(len(items), int(lengths.max()))
    for i, (audio, _) in enumerate(items):
        batch[i, : len(audio)] = audio
    return batch, lengths


class _ArrayDataset(Dataset):
    def __init__(self, arrays):
        self.arrays = [_as_tensor(a, f"item {i}") for i, a in enumerate(arrays)]
        self.collate_fn = pad_audio

    def __len__(self):
        return len(self.arrays)

    def __getitem__(self, index):
        return self.arrays[index], len(self.arrays[index])


class _GeneratorBatches:
    """Batches from a generator of waveforms; ``source`` is called again for every pass when callable."""

    def __init__(self, source, batch_size):
        self.source, self.batch_size = source, batch_size

    def __iter__(self):
        items = []
        for i, samples in enumerate(self.source() if callable(self.source) else self.source):
            items.append((_as_tensor(samples, f"generated item {i}"), None))
            if len(items) == self.batch_size:
                yield pad_audio(items)
                items = []
        if items:
            yield pad_audio(items)


class AudioInMemoryDataLayer(DataLayerNM):
    """Waveforms already in memory: ``audio`` is a list of 1-D arrays (at ``sample_rate``), or a
    generator / a function returning one (streamed, each pass calls the function again).

    Output ports: ``audio_signal`` (B, T) AudioSignal(sample_rate), ``a_sig_length`` (B,).
    """

    def __init__(self, audio, batch_size=1, sample_rate=16000, name=None, **kwargs):
        super().__init__(name=name, batch_size=batch_size, shuffle=False, num_workers=0, **kwargs)
        self._sample_rate = sample_rate
        if isinstance(audio, (list, tuple)) or (isinstance(audio, np.ndarray) and audio.ndim == 2):
            self._dataset, self._iterator = _ArrayDataset(list(audio)), None
        else:
            self._dataset, self._iterator = None, _GeneratorBatches(audio, batch_size)

    @property
    def output_ports(self):
        return {
            "audio_signal": NeuralType(("B", "T"), AudioSignal(freq=self._sample_rate)),
            "a_sig_length": NeuralType(tuple("B"), LengthsType()),
        }

    @property
    def dataset(self):
        return self._dataset

    @property
    def data_iterator(self):
        return self._iterator

    def __len__(self):
        if self._dataset is None:
            raise TypeError("AudioInMemoryDataLayer over a generator has no length")
        return len(self._dataset)
