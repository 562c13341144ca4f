"""Waveform augmentation: perturbations applied with given probabilities by an :class:`AudioAugmentor`.

Every perturbation is ``perturb(samples, sample_rate, rng) -> samples`` on a float32 numpy array and
draws its random values from ``rng`` (a ``numpy.random.Generator``), so a caller that seeds ``rng``
per sample gets the same augmentation wherever and whenever the sample is loaded.
"""
import abc
import math

import librosa
import numpy as np

from .audio import load_audio
from .manifest import read_manifest

__all__ = [
    "AudioAugmentor",
    "GainPerturbation",
    "ImpulsePerturbation",
    "NoisePerturbation",
    "Perturbation",
    "ShiftPerturbation",
    "SpeedPerturbation",
    "TimeStretchPerturbation",
    "WhiteNoisePerturbation",
    "perturbation_types",
    "register_perturbation",
    "rms_db",
]


def rms_db(samples):
    """Level of ``samples`` in dB relative to full scale (RMS)."""
    return 10.0 * math.log10(max(float(np.mean(np.square(samples, dtype=np.float64))), 1e-20))


class Perturbation(abc.ABC):
    """Base class: ``perturb(samples, sample_rate, rng)`` returns new samples."""

    @abc.abstractmethod
    def perturb(self, samples, sample_rate, rng):
        """New samples made from ``samples`` with random draws from ``rng``."""


def _rates(low, high, num_rates):
    if not 0 < low <= high:
        raise ValueError(f"speed rates must satisfy 0 < min_speed_rate <= max_speed_rate, got {low}, {high}")
    return np.linspace(low, high, num_rates) if num_rates > 0 else None


def _draw_rate(rng, low, high, rates):
    return float(rng.choice(rates)) if rates is not None else float(rng.uniform(low, high))


class SpeedPerturbation(Perturbation):
    """Play faster or slower (pitch moves too): resample so the duration becomes ``duration / rate``.

    ``rate`` is uniform in [min_speed_rate, max_speed_rate], or one of ``num_rates`` evenly spaced
    values when ``num_rates > 0``. ``sr``, when given, is the sample rate the audio must have.
    ``resample_type`` is a librosa ``res_type``; the legacy ``kaiser_fast``/``kaiser_best`` (which
    need resampy) map to soxr's medium/very high quality.
    """

    LEGACY_RESAMPLERS = {"kaiser_fast": "soxr_mq", "kaiser_best": "soxr_vhq"}

    def __init__(self, sr=None, resample_type="kaiser_fast", min_speed_rate=0.9, max_speed_rate=1.1, num_rates=5):
        self.sr = sr
        self.resample_type = self.LEGACY_RESAMPLERS.get(resample_type, resample_type)
        self.low, self.high = min_speed_rate, max_speed_rate
        self.rates = _rates(min_speed_rate, max_speed_rate, num_rates)

    def perturb(self, samples, sample_rate, rng):
        if self.sr is not None and self.sr != sample_rate:
            raise ValueError(f"SpeedPerturbation(sr={self.sr}) got audio at {sample_rate} Hz")
        rate = _draw_rate(rng, self.low, self.high, self.rates)
        target = int(round(sample_rate / rate))
        return librosa.resample(samples, orig_sr=sample_rate, target_sr=target, res_type=self.resample_type)


class TimeStretchPerturbation(Perturbation):
    """Change the tempo, keeping the pitch (phase vocoder): the duration becomes ``duration / rate``."""

    def __init__(self, min_speed_rate=0.9, max_speed_rate=1.1, num_rates=5, n_fft=512):
        self.low, self.high, self.n_fft = min_speed_rate, max_speed_rate, n_fft
        self.rates = _rates(min_speed_rate, max_speed_rate, num_rates)

    def perturb(self, samples, sample_rate, rng):
        rate = _draw_rate(rng, self.low, self.high, self.rates)
        stretched = librosa.effects.time_stretch(samples, rate=rate, n_fft=self.n_fft)
        return stretched.astype(np.float32)


class GainPerturbation(Perturbation):
    """Multiply by a gain drawn uniformly in [min_gain_dbfs, max_gain_dbfs] dB."""

    def __init__(self, min_gain_dbfs=-10, max_gain_dbfs=10):
        self.low, self.high = min_gain_dbfs, max_gain_dbfs

    def perturb(self, samples, sample_rate, rng):
        gain_db = rng.uniform(self.low, self.high)
        return (samples * 10.0 ** (gain_db / 20.0)).astype(np.float32)


class ShiftPerturbation(Perturbation):
    """Shift by [min_shift_ms, max_shift_ms] ms (positive: later), zero-filled; the length is kept."""

    def __init__(self, min_shift_ms=-5.0, max_shift_ms=5.0):
        self.low, self.high = min_shift_ms, max_shift_ms

    def perturb(self, samples, sample_rate, rng):
        shift = int(round(rng.uniform(self.low, self.high) * sample_rate / 1000.0))
        shift = max(-len(samples), min(len(samples), shift))
        shifted = np.zeros_like(samples)
        if shift >= 0:
            shifted[shift:] = samples[: len(samples) - shift]
        else:
            shifted[:shift] = samples[-shift:]
        return shifted


class WhiteNoisePerturbation(Perturbation):
    """Add Gaussian noise whose RMS level is uniform in [min_level, max_level] dBFS."""

    def __init__(self, min_level=-90, max_level=-46):
        self.low, self.high = min_level, max_level

    def perturb(self, samples, sample_rate, rng):
        level = rng.uniform(self.low, self.high)
        noise = rng.standard_normal(len(samples)) * 10.0 ** (level / 20.0)
        return (samples + noise).astype(np.float32)


class _ManifestAudio:
    """Audio files of a manifest, loaded on first use at the rate asked for."""

    def __init__(self, manifest_path):
        self.entries = read_manifest(manifest_path)
        if not self.entries:
            raise ValueError(f"{manifest_path}: no audio files listed")
        self._cache = {}

    def draw(self, rng, sample_rate):
        entry = self.entries[int(rng.integers(len(self.entries)))]
        key = (entry.audio_filepath, entry.offset, entry.duration, sample_rate)
        if key not in self._cache:
            self._cache[key] = load_audio(entry.audio_filepath, sample_rate, offset=entry.offset,
                                          duration=entry.duration if entry.offset > 0 else 0.0)
        return self._cache[key]


class NoisePerturbation(Perturbation):
    """Add a noise recording from ``manifest_path`` at an SNR uniform in [min_snr_db, max_snr_db].

    A random stretch of the noise as long as the speech is used (the noise repeats when shorter).
    The noise gain is capped at ``max_gain_db``.
    """

    def __init__(self, manifest_path, min_snr_db=10, max_snr_db=50, max_gain_db=300.0):
        self.noises = _ManifestAudio(manifest_path)
        self.low, self.high, self.max_gain_db = min_snr_db, max_snr_db, max_gain_db

    def perturb(self, samples, sample_rate, rng):
        snr_db = rng.uniform(self.low, self.high)
        noise = self.noises.draw(rng, sample_rate)
        if len(noise) < len(samples):
            noise = np.tile(noise, math.ceil(len(samples) / len(noise)))
        start = int(rng.integers(len(noise) - len(samples) + 1))
        noise = noise[start:start + len(samples)]
        gain_db = min(rms_db(samples) - rms_db(noise) - snr_db, self.max_gain_db)
        return (samples + noise * 10.0 ** (gain_db / 20.0)).astype(np.float32)


class ImpulsePerturbation(Perturbation):
    """Reverberate with an impulse response from ``manifest_path``; length and RMS level are kept."""

    def __init__(self, manifest_path):
        self.impulses = _ManifestAudio(manifest_path)

    def perturb(self, samples, sample_rate, rng):
        from scipy.signal import fftconvolve  # scipy.signal costs ~0.7 s to import: only when used

        impulse = self.impulses.draw(rng, sample_rate)
        wet = fftconvolve(samples, impulse)[: len(samples)]
        gain_db = rms_db(samples) - rms_db(wet)
        return (wet * 10.0 ** (gain_db / 20.0)).astype(np.float32)


perturbation_types = {
    "speed": SpeedPerturbation,
    "time_stretch": TimeStretchPerturbation,
    "gain": GainPerturbation,
    "shift": ShiftPerturbation,
    "white_noise": WhiteNoisePerturbation,
    "noise": NoisePerturbation,
    "impulse": ImpulsePerturbation,
}


def register_perturbation(name, perturbation):
    """Make ``perturbation`` (a :class:`Perturbation` subclass) usable by name in configs."""
    if name in perturbation_types:
        raise ValueError(f"perturbation {name!r} is already registered ({perturbation_types[name].__name__})")
    perturbation_types[name] = perturbation


class AudioAugmentor:
    """Apply each ``(probability, perturbation)`` in order, each with its probability.

    ``augmentor(samples, sample_rate, rng)`` works on numpy arrays; ``augmentor(tensor, ...)``
    returns a tensor.
    """

    def __init__(self, perturbations=None):
        self.perturbations = list(perturbations or [])
        for item in self.perturbations:
            if not (isinstance(item, (tuple, list)) and len(item) == 2 and 0 <= item[0] <= 1
                    and isinstance(item[1], Perturbation)):
                raise ValueError(f"AudioAugmentor perturbations are (probability in [0, 1], Perturbation) "
                                 f"pairs, got {item!r}")

    def perturb(self, samples, sample_rate, rng):
        for prob, perturbation in self.perturbations:
            if rng.random() < prob:
                samples = perturbation.perturb(samples, sample_rate, rng)
        return samples

    def __call__(self, samples, sample_rate, rng):
        if isinstance(samples, np.ndarray):
            return self.perturb(samples, sample_rate, rng)
        import torch

        return torch.from_numpy(np.ascontiguousarray(self.perturb(samples.numpy(), sample_rate, rng)))

    @classmethod
    def from_config(cls, config):
        """From the legacy form ``{name: {prob: p, **params}, ...}`` (or a list of ``{aug_type, prob,
        ...}`` dicts); names are those of :data:`perturbation_types`."""
        if isinstance(config, dict):
            items = [(name, params) for name, params in config.items()]
        elif isinstance(config, (list, tuple)):
            items = []
            for spec in config:
                spec = dict(spec or {})
                items.append((spec.pop("aug_type", None), spec))
        else:
            raise ValueError(f"augmentor config must be a dict or a list, got {type(config).__name__}")
        perturbations = []
        for name, params in items:
            if name not in perturbation_types:
                raise ValueError(f"unknown perturbation {name!r} in augmentor config; known: "
                                 f"{sorted(perturbation_types)}")
            params = dict(params or {})
            if "prob" not in params:
                raise ValueError(f"augmentor config for {name!r} needs 'prob'")
            prob = float(params.pop("prob"))
            try:
                perturbations.append((prob, perturbation_types[name](**params)))
            except TypeError as err:
                raise ValueError(f"augmentor config for {name!r}: {err}") from None
        return cls(perturbations)


def make_augmentor(augmentor):
    """``augmentor`` as given (an AudioAugmentor or callable), built from a config dict/list, or None."""
    if augmentor is None or isinstance(augmentor, AudioAugmentor):
        return augmentor
    if isinstance(augmentor, (dict, list, tuple)):
        return AudioAugmentor.from_config(augmentor)
    if callable(augmentor):
        return augmentor
    raise ValueError(f"augmentor must be an AudioAugmentor, a config dict or a callable, got {augmentor!r}")


def augment_sample(augmentor, audio, sample_rate, seed, epoch, index):
    """``audio`` (a tensor) through ``augmentor``: an :class:`AudioAugmentor` draws from a generator
    seeded by ``(seed, epoch, index)`` (the same in any worker and after a resume), any other
    callable is simply called."""
    if augmentor is None:
        return audio
    if not isinstance(augmentor, AudioAugmentor):
        return augmentor(audio)
    return augmentor(audio, sample_rate, np.random.default_rng([seed, epoch, index]))


def new_augment_seed(augmentor):
    """A seed for :func:`augment_sample`, drawn from torch's generator (seeded by the factory)."""
    import torch

    return int(torch.randint(0, 2**62, ())) if isinstance(augmentor, AudioAugmentor) else None
