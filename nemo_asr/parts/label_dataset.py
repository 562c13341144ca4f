"""Audio-to-class-label dataset (speech commands, VAD, speakers) and its collate function."""
import logging

import torch
from torch.utils.data import Dataset

from .audio import AudioLoadError, load_audio
from .dataset import real_lengths
from .manifest import ManifestError, filter_entries, read_manifest
from .perturb import augment_sample, make_augmentor, new_augment_seed

logger = logging.getLogger("nemo_asr")


def label_collate_fn(batch):
    """Pad ``(audio, audio_len, label)`` items: ``audio [B, Tmax]`` (zeros), ``audio_len [B]``,
    ``label [B]``, ``label_len [B]`` (ones); all integers int64."""
    audios, audio_lens, labels = zip(*batch)
    audio_len = torch.stack(audio_lens)
    audio = audios[0].new_zeros(len(batch), max(a.shape[0] for a in audios))
    for i, signal in enumerate(audios):
        audio[i, : signal.shape[0]] = signal
    label = torch.stack(labels)
    return audio, audio_len, label, torch.ones_like(label)


def crop_or_pad(audio, length, random_crop):
    """``audio [T]`` cut to ``length`` samples (a random window when ``random_crop``, else the
    centre; offsets come from torch's seeded generator) or zero-padded at the end.

    Returns ``(audio [length], valid samples)``.
    """
    size = audio.shape[0]
    if size >= length:
        extra = size - length
        start = int(torch.randint(0, extra + 1, (1,))) if random_crop and extra else extra // 2
        return audio[start: start + length], length
    return torch.cat([audio, audio.new_zeros(length - size)]), size


class AudioLabelDataset(Dataset):
    """Utterances of JSON-lines manifests with a ``"label"`` key as ``(audio [T], audio_len, label)``;
    each reads ``duration`` seconds from ``offset`` (0), so a manifest can list windows of longer files.

    Args:
        manifest_filepath: manifest path, comma-separated paths or a list of paths.
        labels: the class names; ``label`` is the index of the line's label in this list.
            A label not in the list raises :class:`ManifestError` naming the manifest line.
        sample_rate, int_values, trim_silence: as for :class:`AudioDataset`.
        min_duration, max_duration: duration filters in seconds (None: no limit).
        augmentor: an :class:`~nemo_asr.parts.perturb.AudioAugmentor`, its config dict, or a callable,
            applied to each waveform before cropping; an AudioAugmentor draws per sample and epoch
            (the runner's samplers give ``(epoch, index)`` keys), seeded by ``augment_seed``.
        time_length: seconds every clip is cropped or zero-padded to (None: keep lengths).
        random_crop: crop a random window (training) instead of the centre.
    """

    keyed_by_epoch = True  # the runner's samplers give (epoch, index) keys: augmentation seeded per epoch

    def __init__(self, manifest_filepath, labels, sample_rate=16000, int_values=False, min_duration=None,
                 max_duration=None, trim_silence=False, augmentor=None, time_length=None, random_crop=False,
                 augment_seed=None):
        self.labels = [str(label) for label in labels]
        if not self.labels or len(set(self.labels)) != len(self.labels):
            raise ValueError(f"labels must be a non-empty list of distinct names, got {labels!r}")
        if time_length is not None and time_length <= 0:
            raise ValueError(f"time_length must be a positive number of seconds or None, got {time_length!r}")
        index = {label: i for i, label in enumerate(self.labels)}
        entries = filter_entries(real_lengths(read_manifest(manifest_filepath, text_key="label")),
                                 min_duration, max_duration)
        for entry in entries:
            if entry.text not in index:
                raise ManifestError(f"{entry.source}: label {entry.text!r} is not one of the labels {self.labels}")
        self.entries = entries
        self.targets = torch.tensor([index[entry.text] for entry in entries], dtype=torch.int64)
        self.sample_rate = sample_rate
        self.int_values = int_values
        self.trim_silence = trim_silence
        self.augmentor = make_augmentor(augmentor)
        self.augment_seed = new_augment_seed(self.augmentor) if augment_seed is None else augment_seed
        self.fixed_samples = None if time_length is None else int(round(time_length * sample_rate))
        self.random_crop = random_crop
        self.collate_fn = label_collate_fn
        if not entries:
            logger.warning("AudioLabelDataset from %s has no utterances left", manifest_filepath)

    def __len__(self):
        return len(self.entries)

    def __getitem__(self, key):
        """``key``: an index, or ``(epoch, index)`` to pick the augmentation of that epoch."""
        epoch, index = key if isinstance(key, tuple) else (0, key)
        entry = self.entries[index]
        try:
            samples = load_audio(entry.audio_filepath, self.sample_rate, int_values=self.int_values,
                                 offset=entry.offset, duration=entry.duration,
                                 trim=self.trim_silence)
        except (FileNotFoundError, AudioLoadError) as err:
            raise type(err)(f"{err} (listed at {entry.source})") from None
        audio = augment_sample(self.augmentor, torch.from_numpy(samples), self.sample_rate, self.augment_seed, epoch,
                               index)
        length = audio.shape[0]
        if self.fixed_samples is not None:
            audio, length = crop_or_pad(audio, self.fixed_samples, self.random_crop)
        return audio, torch.tensor(length, dtype=torch.int64), self.targets[index]
