"""Feature extraction and spectrogram augmentation as neural modules."""

from nemo.backends.pytorch import NonTrainableNM
from nemo.core.neural_types import (
    AudioSignal,
    AxisType,
    LengthsType,
    MelSpectrogramType,
    MFCCSpectrogramType,
    NeuralType,
    SpectrogramType,
)

from .parts.features import FilterbankFeatures, MFCCFeatures, SpectrogramFeatures
from .parts.spec_augment import SpecAugment, SpecCutout

__all__ = [
    "AudioPreprocessing",
    "AudioToMelSpectrogramPreprocessor",
    "AudioToMFCCPreprocessor",
    "AudioToSpectrogramPreprocessor",
    "SpectrogramAugmentation",
]


def _window_samples(sample_rate, window_size, window_stride, n_window_size, n_window_stride):
    """``n_window_size`` / ``n_window_stride`` in samples: given directly, or from seconds."""
    samples = {}
    for what, seconds, count in (("window_size", window_size, n_window_size),
                                 ("window_stride", window_stride, n_window_stride)):
        if not (count or seconds):
            raise ValueError(f"give {what} in seconds or n_{what} in samples")
        samples[f"n_{what}"] = int(count) if count else int(round(seconds * sample_rate))
    return samples


class _Preprocessor(NonTrainableNM):
    """Audio → features. Input ports: ``input_signal`` (B, T), ``length`` (B,).
    Output ports: ``processed_signal`` (B, D, T), ``processed_length`` (B,)."""

    element_type = SpectrogramType

    def __init__(self, sample_rate, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self._sample_rate = sample_rate

    @property
    def input_ports(self):
        return {
            "input_signal": NeuralType(("B", "T"), AudioSignal(freq=self._sample_rate)),
            "length": NeuralType(tuple("B"), LengthsType()),
        }

    @property
    def output_ports(self):
        return {
            "processed_signal": NeuralType(("B", AxisType.sized("D", self.feature_dim), "T"), self.element_type()),
            "processed_length": NeuralType(tuple("B"), LengthsType()),
        }

    @property
    def feature_dim(self):
        """Features per frame: MFCCs, mel bands or FFT bins, times the frame splicing."""
        featurizer = self.featurizer
        if hasattr(featurizer, "n_mfcc"):
            return featurizer.n_mfcc
        base = featurizer.nfilt if hasattr(featurizer, "nfilt") else featurizer.n_fft // 2 + 1
        return base * featurizer.frame_splicing

    def forward(self, input_signal, length):
        return self.featurizer(input_signal, length)


class AudioToMelSpectrogramPreprocessor(_Preprocessor):
    """Log-mel filterbank features (legacy parameters; window/hop in seconds or samples).

    TTS settings: ``feat_type='logfbank'`` (or 'fbank' for mel energies), ``mag_power=1``
    (magnitude), ``log_zero_guard_type='clamp'`` with ``log_zero_guard_value=1e-5`` and
    ``pad_value=-11.52`` (the log of that guard: padded frames look like silence).

    Input ports: ``input_signal`` (B, T) audio, ``length`` (B,).
    Output ports: ``processed_signal`` (B, features, T) MelSpectrogramType, ``processed_length`` (B,).
    """

    element_type = MelSpectrogramType

    def __init__(self, sample_rate=16000, window_size=0.02, window_stride=0.01, n_window_size=None,
                 n_window_stride=None, window="hann", normalize="per_feature", n_fft=None, preemph=0.97,
                 features=64, lowfreq=0, highfreq=None, log=True, log_zero_guard_type="add",
                 log_zero_guard_value=2**-24, dither=1e-5, pad_to=16, frame_splicing=1, stft_conv=False,
                 mag_power=2.0, max_duration=16.7, pad_value=0.0, feat_type=None, name=None, **kwargs):
        super().__init__(sample_rate, name=name, **kwargs)
        self.featurizer = FilterbankFeatures(
            sample_rate=sample_rate,
            **_window_samples(sample_rate, window_size, window_stride, n_window_size, n_window_stride),
            window=window, normalize=normalize, n_fft=n_fft, preemph=preemph, nfilt=features, lowfreq=lowfreq,
            highfreq=highfreq, log=log, log_zero_guard_type=log_zero_guard_type,
            log_zero_guard_value=log_zero_guard_value, dither=dither, pad_to=pad_to, max_duration=max_duration,
            frame_splicing=frame_splicing, stft_conv=stft_conv, mag_power=mag_power, pad_value=pad_value,
            feat_type=feat_type,
        )


AudioPreprocessing = AudioToMelSpectrogramPreprocessor


class AudioToMFCCPreprocessor(_Preprocessor):
    """MFCC features. Input ports: ``input_signal`` (B, T), ``length`` (B,).
    Output ports: ``processed_signal`` (B, n_mfcc, T) MFCCSpectrogramType, ``processed_length`` (B,)."""

    element_type = MFCCSpectrogramType

    def __init__(self, sample_rate=16000, window_size=0.02, window_stride=0.01, n_window_size=None,
                 n_window_stride=None, window="hann", n_fft=None, lowfreq=0.0, highfreq=None, n_mels=64,
                 n_mfcc=64, log_zero_guard_value=1e-6, normalize=None, preemph=None, dither=0.0, pad_to=16,
                 stft_conv=False, dct_type=2, log=True, norm="ortho", name=None, **kwargs):
        super().__init__(sample_rate, name=name, **kwargs)
        self.featurizer = MFCCFeatures(
            sample_rate=sample_rate,
            **_window_samples(sample_rate, window_size, window_stride, n_window_size, n_window_stride),
            window=window, n_fft=n_fft, lowfreq=lowfreq, highfreq=highfreq, n_mels=n_mels, n_mfcc=n_mfcc,
            log_zero_guard_value=log_zero_guard_value, normalize=normalize, preemph=preemph, dither=dither,
            pad_to=pad_to, stft_conv=stft_conv, dct_type=dct_type, log=log, norm=norm,
        )


class AudioToSpectrogramPreprocessor(_Preprocessor):
    """Linear (power) spectrogram. Input ports: ``input_signal`` (B, T), ``length`` (B,).
    Output ports: ``processed_signal`` (B, n_fft/2+1, T) SpectrogramType, ``processed_length`` (B,)."""

    def __init__(self, sample_rate=16000, window_size=0.02, window_stride=0.01, n_window_size=None,
                 n_window_stride=None, window="hann", normalize=None, n_fft=None, preemph=0.97, log=True,
                 log_zero_guard_type="add", log_zero_guard_value=2**-24, dither=1e-5, pad_to=16,
                 stft_conv=False, mag_power=2.0, pad_value=0.0, normalized=False, name=None, **kwargs):
        super().__init__(sample_rate, name=name, **kwargs)
        self.featurizer = SpectrogramFeatures(
            sample_rate=sample_rate,
            **_window_samples(sample_rate, window_size, window_stride, n_window_size, n_window_stride),
            window=window, normalize=normalize, n_fft=n_fft, preemph=preemph, log=log,
            log_zero_guard_type=log_zero_guard_type, log_zero_guard_value=log_zero_guard_value, dither=dither,
            pad_to=pad_to, stft_conv=stft_conv, mag_power=mag_power, pad_value=pad_value, normalized=normalized,
        )


class SpectrogramAugmentation(NonTrainableNM):
    """SpecAugment (frequency/time masks) and SpecCutout (rectangles); active only in training.

    Masks are drawn on the batch's device from torch's default generator (seeded by the
    factory's ``random_seed``, saved in trainer checkpoints), or from ``rng``: a
    ``torch.Generator``, or a legacy ``random.Random`` that seeds a private generator once.

    Input port: ``input_spec`` (B, D, T). Output port: ``augmented_spec`` (B, D, T).
    """

    def __init__(self, freq_masks=0, time_masks=0, freq_width=10, time_width=10, rect_masks=0, rect_time=5,
                 rect_freq=20, rng=None, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.spec_cutout = SpecCutout(rect_masks=rect_masks, rect_time=rect_time, rect_freq=rect_freq, rng=rng)
        self.spec_augment = SpecAugment(freq_masks=freq_masks, time_masks=time_masks, freq_width=freq_width,
                                        time_width=time_width, rng=rng)

    @property
    def input_ports(self):
        return {"input_spec": NeuralType(("B", "D", "T"), SpectrogramType())}

    @property
    def output_ports(self):
        return {"augmented_spec": NeuralType(("B", "D", "T"), SpectrogramType())}

    def forward(self, input_spec):
        return self.spec_augment(self.spec_cutout(input_spec))
