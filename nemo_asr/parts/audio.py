"""Decoding audio files into mono numpy arrays at a target sample rate, and probing their length."""
import io
import os
import re
from dataclasses import dataclass

import librosa
import numpy as np
import soundfile as sf


class AudioLoadError(OSError):
    """An audio file that cannot be decoded; the message names the path."""


# libsndfile clamps a WAV data chunk that runs past the end of the file to the bytes present
# and notes it in its log: "data : 32000 (should be 15978)". "Bytes/sec" gives the header's rate.
_SHORT_DATA = re.compile(r"^data\s*:\s*(\d+)\s*\(should be (\d+)\)", re.MULTILINE)
_BYTE_RATE = re.compile(r"Bytes/sec\s*:\s*(\d+)")


@dataclass(frozen=True)
class AudioInfo:
    """``duration``: seconds of audio the file holds; ``declared_duration``: the longer length
    its header declares when the data was cut short (None when the file is whole)."""

    duration: float
    declared_duration: float = None


def audio_info(path):
    """Probe ``path``'s header (no decoding) for its real length and a truncated data chunk."""
    try:
        with sf.SoundFile(path) as handle:
            frames, sample_rate, log = handle.frames, handle.samplerate, handle.extra_info
    except (sf.LibsndfileError, RuntimeError) as err:
        raise AudioLoadError(f"cannot decode audio file {path}: {err}") from None
    duration = frames / sample_rate
    short = _SHORT_DATA.search(log)
    if short is None:
        return AudioInfo(duration)
    declared_bytes, present_bytes = int(short.group(1)), int(short.group(2))
    byte_rate = _BYTE_RATE.search(log)
    if byte_rate and int(byte_rate.group(1)) > 0:
        declared = declared_bytes / int(byte_rate.group(1))
    else:
        declared = duration * declared_bytes / max(present_bytes, 1)
    return AudioInfo(duration, declared)


def load_audio(path, target_sr, int_values=False, offset=0.0, duration=0.0, trim=False, trim_db=60):
    """Load ``path`` as a mono float32 numpy array sampled at ``target_sr``.

    Args:
        path: audio file readable by soundfile (wav, flac, ogg, ...).
        target_sr: output sample rate; other rates are resampled with librosa.
        int_values: return the file's integer sample values (e.g. the int16 range for
            16-bit PCM) as float32 instead of floats in [-1, 1].
        offset: seconds to skip at the start.
        duration: seconds to read; 0 reads to the end.
        trim: remove leading and trailing silence (``librosa.effects.trim``, ``trim_db``).
    """
    if not os.path.isfile(path):
        raise FileNotFoundError(f"audio file not found: {path}")
    try:
        with sf.SoundFile(path) as handle:
            sample_rate = handle.samplerate
            if offset > 0:
                handle.seek(min(int(round(offset * sample_rate)), handle.frames))
            frames = int(round(duration * sample_rate)) if duration > 0 else -1
            dtype = "float32"
            if int_values:
                dtype = "int16" if handle.subtype in ("PCM_16", "PCM_U8", "PCM_S8") else "int32"
            samples = handle.read(frames=frames, dtype=dtype, always_2d=True)
    except (sf.LibsndfileError, RuntimeError) as err:
        raise AudioLoadError(f"cannot decode audio file {path}: {err}") from None
    if samples.shape[0] == 0:
        raise AudioLoadError(f"no samples read from {path} (offset={offset} s, duration={duration} s)")
    return _mono_at_rate(samples, sample_rate, target_sr, trim, trim_db)


def _mono_at_rate(samples, sample_rate, target_sr, trim, trim_db):
    samples = samples.astype(np.float32).mean(axis=1)
    if sample_rate != target_sr:
        samples = librosa.resample(samples, orig_sr=sample_rate, target_sr=target_sr).astype(np.float32)
    if trim:
        samples, _ = librosa.effects.trim(samples, top_db=trim_db)
    return samples


def decode_audio_bytes(data, target_sr, name, trim=False, trim_db=60):
    """Decode an encoded audio file held in memory (e.g. a tar member) like :func:`load_audio`;
    ``name`` is used in error messages."""
    try:
        samples, sample_rate = sf.read(io.BytesIO(data), dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError) as err:
        raise AudioLoadError(f"cannot decode audio {name}: {err}") from None
    if samples.shape[0] == 0:
        raise AudioLoadError(f"no samples in {name}")
    return _mono_at_rate(samples, sample_rate, target_sr, trim, trim_db)
