"""TarredAudioToTextDataLayer: speech and transcripts streamed from tar shards."""

from functools import partial

import torch

from nemo.backends.pytorch import DataLayerNM

from .data_layer import audio_text_ports
from .parts.dataset import seq_collate_fn
from .parts.tarred_dataset import EpochLoader, TarredAudioDataset

__all__ = ["TarredAudioToTextDataLayer"]


class TarredAudioToTextDataLayer(DataLayerNM):
    """Like :class:`AudioToTextDataLayer`, reading audio from tar shards written by
    ``scripts/convert_to_tarred_audio_dataset.py``.

    ``audio_tar_filepaths`` takes brace patterns (``audio_{0..7}.tar``); shards are split across
    ranks and loader workers, so give at least ``world_size * num_workers`` shards. The manifest
    maps each member's file name to its transcript and is held as numpy columns. ``shuffle_n``:
    shuffle buffer in samples (0: shards and samples in order). ``augment_seed`` (None: drawn
    from torch's global generator) seeds the per-sample augmentation with the epoch.

    Output ports:
        ``audio_signal`` (B, T) AudioSignal(sample_rate), ``a_sig_length`` (B,),
        ``transcripts`` (B, T) label ids, ``transcript_length`` (B,).
    """

    def __init__(self, audio_tar_filepaths, manifest_filepath, labels, batch_size, sample_rate=16000,
                 int_values=False, bos_id=None, eos_id=None, pad_id=None, min_duration=0.1, max_duration=None,
                 normalize_transcripts=True, trim_silence=False, shuffle_n=0, num_workers=None, augmentor=None,
                 augment_seed=None, name=None, **kwargs):
        super().__init__(name=name, batch_size=batch_size, shuffle=shuffle_n > 0, num_workers=num_workers, **kwargs)
        if int_values:
            raise ValueError("TarredAudioToTextDataLayer reads float samples; int_values=True is not supported")
        self._sample_rate = sample_rate
        seed = int(torch.randint(0, 2**62, ())) if augment_seed is None else augment_seed
        self._dataset = TarredAudioDataset(
            audio_tar_filepaths, manifest_filepath, labels, sample_rate=sample_rate, shuffle_n=shuffle_n,
            min_duration=min_duration, max_duration=max_duration, normalize_transcripts=normalize_transcripts,
            trim_silence=trim_silence, bos_id=bos_id, eos_id=eos_id, augmentor=augmentor, seed=seed)
        collate = partial(seq_collate_fn, token_pad_value=0 if pad_id is None else pad_id)
        self._loader = EpochLoader(self._dataset, batch_size, collate, num_workers or 0)

    @property
    def output_ports(self):
        return audio_text_ports(self._sample_rate)

    @property
    def dataset(self):
        return self._dataset

    @property
    def data_iterator(self):
        return self._loader

    def __len__(self):
        return len(self._dataset)
