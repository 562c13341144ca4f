"""Audio-to-characters dataset and its padding collate function."""
import dataclasses
import logging
from collections import Counter
from functools import partial

import torch
from torch.utils.data import Dataset

from .audio import AudioLoadError, audio_info, load_audio
from .manifest import ManifestEntry, filter_entries, read_manifest
from .perturb import augment_sample, make_augmentor, new_augment_seed
from .text import CharParser

logger = logging.getLogger("nemo_asr")


def seq_collate_fn(batch, token_pad_value=0):
    """Pad ``(audio, audio_len, tokens, tokens_len)`` items into batch tensors.

    Returns ``audio [B, Tmax]`` (padded with 0), ``audio_len [B]``, ``tokens [B, Lmax]``
    (padded with ``token_pad_value``) and ``tokens_len [B]``; lengths are int64.
    """
    audios, audio_lens, tokens, token_lens = zip(*batch)
    audio_len = torch.stack([torch.as_tensor(n, dtype=torch.int64) for n in audio_lens])
    tokens_len = torch.stack([torch.as_tensor(n, dtype=torch.int64) for n in token_lens])
    audio = audios[0].new_zeros(len(batch), int(audio_len.max()))
    for i, signal in enumerate(audios):
        audio[i, : signal.shape[0]] = signal
    token_batch = torch.full((len(batch), int(tokens_len.max())), token_pad_value, dtype=torch.int64)
    for i, ids in enumerate(tokens):
        token_batch[i, : ids.shape[0]] = ids
    return audio, audio_len, token_batch, tokens_len


def real_lengths(entries):
    """``entries`` with each duration cut to the audio its file really holds.

    Every file's header is probed once (no decoding). A file whose data is shorter than its
    header declares gets one warning naming the first manifest line that lists it; files that
    cannot be opened raise :class:`AudioLoadError` naming the line.
    """
    infos, checked = {}, []
    for entry in entries:
        info = infos.get(entry.audio_filepath)
        if info is None:
            try:
                info = infos[entry.audio_filepath] = audio_info(entry.audio_filepath)
            except AudioLoadError as err:
                raise AudioLoadError(f"{err} (listed at {entry.source})") from None
            if info.declared_duration is not None:
                logger.warning(
                    "audio file %s (listed at %s) holds %.3f s of audio but its header declares %.3f s: the file "
                    "is truncated; using the real length (manifest duration %s s) for duration filters",
                    entry.audio_filepath, entry.source, info.duration, info.declared_duration, entry.duration)
        if info.declared_duration is not None:
            available = max(0.0, info.duration - entry.offset)
            if available < entry.duration:
                entry = dataclasses.replace(entry, duration=available)
        checked.append(entry)
    return checked


class AudioDataset(Dataset):
    """Utterances of one or several manifests as ``(audio [T], audio_len, tokens [L], tokens_len)``.

    Audio is read whole, or ``duration`` seconds from ``offset`` when an entry has an
    offset. Transcripts are tokenized once, here. Utterances are skipped (with one warning per
    reason) when their transcript is empty or longer than a stride-``encoder_stride`` CTC
    encoder over ``feature_hop``-second frames can align (``len > duration / hop / stride``).
    Characters that are not labels are dropped (or mapped to ``unk_id``) with one warning.

    Args:
        manifest_filepath: manifest path, comma-separated paths, a list of paths, or a
            list of :class:`ManifestEntry`.
        labels: label characters.
        sample_rate: rate the audio is resampled to.
        int_values: load integer sample values instead of floats in [-1, 1].
        bos_id, eos_id: ids prepended / appended to every transcript (None: none).
        pad_id: token padding value used by :attr:`collate_fn`.
        min_duration, max_duration: duration filters in seconds (None: no limit), applied to
            the real length of truncated files (see :func:`real_lengths`).
        normalize_transcripts: spell numbers and symbols in words (see ``normalize_text``).
        trim_silence: trim leading and trailing silence.
        max_utts: keep at most this many utterances (0: all).
        augmentor: an :class:`~nemo_asr.parts.perturb.AudioAugmentor`, its config dict, or a callable
            applied to each waveform tensor.
        augment_seed: seed of the augmentation; sample ``i`` of epoch ``e`` is augmented with a
            generator seeded from ``(augment_seed, e, i)``, so workers and resumed runs agree.
            None: drawn from torch's global generator (which the factory seeds).
        load_audio: False yields empty audio (length 0) and only the transcripts (legacy option).
        unk_id: id for unknown characters (-1: drop them).
        feature_hop, encoder_stride: the frame rate used for the length check; a
            ``feature_hop`` of None disables it.
    """

    keyed_by_epoch = True  # the runner's samplers give (epoch, index) keys: augmentation seeded per epoch

    def __init__(
        self,
        manifest_filepath,
        labels,
        sample_rate=16000,
        int_values=False,
        bos_id=None,
        eos_id=None,
        pad_id=0,
        min_duration=None,
        max_duration=None,
        normalize_transcripts=True,
        trim_silence=False,
        max_utts=0,
        augmentor=None,
        augment_seed=None,
        load_audio=True,
        unk_id=-1,
        feature_hop=0.01,
        encoder_stride=2,
    ):
        if isinstance(manifest_filepath, (list, tuple)) and manifest_filepath and all(
            isinstance(e, ManifestEntry) for e in manifest_filepath
        ):
            entries = list(manifest_filepath)
        else:
            entries = read_manifest(manifest_filepath)
        entries = filter_entries(real_lengths(entries), min_duration, max_duration, max_utts)
        self.labels = list(labels)
        self.parser = CharParser(self.labels, unk_id=unk_id, do_normalize=normalize_transcripts)
        self.sample_rate = sample_rate
        self.int_values = int_values
        self.bos_id, self.eos_id, self.pad_id = bos_id, eos_id, pad_id
        self.trim_silence = trim_silence
        self.augmentor = make_augmentor(augmentor)
        self.augment_seed = new_augment_seed(self.augmentor) if augment_seed is None else augment_seed
        self.epoch = 0
        self.load_audio = load_audio
        self.collate_fn = partial(seq_collate_fn, token_pad_value=pad_id)
        self.entries, self.tokens = self._tokenize(entries, feature_hop, encoder_stride)
        if not self.entries:
            logger.warning("AudioDataset from %s has no utterances left", manifest_filepath)

    def _tokenize(self, entries, feature_hop, encoder_stride):
        kept, token_lists = [], []
        unknown, empty, too_long = Counter(), [], []
        for entry in entries:
            ids, dropped = self.parser.encode(entry.text)
            unknown.update(dropped)
            if not ids:
                empty.append(entry.source)
            elif feature_hop is not None and len(ids) > entry.duration / feature_hop / encoder_stride:
                too_long.append(entry.source)
            else:
                ids = ([self.bos_id] if self.bos_id is not None else []) + ids
                ids += [self.eos_id] if self.eos_id is not None else []
                kept.append(entry)
                token_lists.append(torch.tensor(ids, dtype=torch.int64))
        if unknown:
            chars = "".join(sorted(unknown))
            action = "mapped to unk_id" if self.parser.unk_id >= 0 else "dropped"
            logger.warning("%d transcript character(s) not in labels %s: %r", sum(unknown.values()), action, chars)
        if empty:
            logger.warning("skipped %d utterance(s) with an empty transcript after normalization (first: %s)",
                           len(empty), empty[0])
        if too_long:
            logger.warning(
                "skipped %d utterance(s) whose transcript is longer than duration / %s s / stride %s "
                "frames, too long for CTC (first: %s)", len(too_long), feature_hop, encoder_stride, too_long[0])
        return kept, token_lists

    def __len__(self):
        return len(self.entries)

    @property
    def total_duration(self):
        """Sum of the manifest durations of the kept utterances, in seconds."""
        return sum(entry.duration for entry in self.entries)

    def set_epoch(self, epoch):
        """Epoch used for the augmentation seeds of plain integer indices."""
        self.epoch = epoch

    def augment(self, audio, index, epoch=None):
        """``audio`` (a tensor) through the augmentor, with the per-sample generator of ``index``."""
        epoch = self.epoch if epoch is None else epoch
        return augment_sample(self.augmentor, audio, self.sample_rate, self.augment_seed, epoch, index)

    def __getitem__(self, key):
        """``key``: an index, or ``(epoch, index)`` to pick the augmentation of that epoch."""
        epoch, index = key if isinstance(key, tuple) else (None, key)
        entry = self.entries[index]
        tokens = self.tokens[index]
        token_len = torch.tensor(tokens.shape[0], dtype=torch.int64)
        if not self.load_audio:
            return torch.zeros(0), torch.tensor(0, dtype=torch.int64), tokens, token_len
        try:
            samples = load_audio(
                entry.audio_filepath,
                self.sample_rate,
                int_values=self.int_values,
                offset=entry.offset,
                duration=entry.duration if entry.offset > 0 else 0.0,
                trim=self.trim_silence,
            )
        except (FileNotFoundError, AudioLoadError) as err:
            raise type(err)(f"{err} (listed at {entry.source})") from None
        audio = self.augment(torch.from_numpy(samples), index, epoch)
        return audio, torch.tensor(audio.shape[0], dtype=torch.int64), tokens, token_len
