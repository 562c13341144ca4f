"""Decoding audio files into mono numpy arrays at a target sample rate."""
import os

import librosa
import numpy as np
import soundfile as sf


class AudioLoadError(OSError):
    """An audio file that cannot be decoded; the message names the path."""


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
    samples = samples.astype(np.float32).mean(axis=1)
    if sample_rate != target_sr:
        samples = librosa.resample(samples, orig_sr=sample_rate, target_sr=target_sr).astype(np.float32)
    if trim:
        samples, _ = librosa.effects.trim(samples, top_db=trim_db)
    return samples
