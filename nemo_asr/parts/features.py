"""Spectrogram, log-mel filterbank and MFCC features with the legacy NeMo conventions.

Every class maps ``(audio [B, T_audio], lengths [B])`` to ``(features [B, D, T], lengths)``
with ``lengths = floor(audio_len / hop) + 1`` (centered STFT). Samples past each
utterance's length are zeroed before the STFT, so a padded batch gives every utterance
the same valid frames as alone; frames past ``lengths`` hold ``pad_value`` (0 by default;
TTS uses the log of silence, -11.52) and the time axis is padded with it to a multiple
of ``pad_to``.
"""
import math

import librosa
import torch
import torch.nn.functional as F
from torch import nn

WINDOWS = {
    "hann": torch.hann_window,
    "hamming": torch.hamming_window,
    "blackman": torch.blackman_window,
    "bartlett": torch.bartlett_window,
}
NORMALIZE_TYPES = (None, "per_feature", "all_features")
FEAT_TYPES = {"logfbank": True, "fbank": False}
STD_GUARD = 1e-5  # added to the standard deviation, as legacy NeMo did


def splice_frames(x, frame_splicing):
    """Stack each frame with the next ``frame_splicing - 1`` ones: [B, D, T] -> [B, D*n, T]."""
    return torch.cat([F.pad(x[:, :, k:], (0, k)) for k in range(frame_splicing)], dim=1)


def normalize_batch(x, seq_len, normalize_type):
    """Mean/std-normalize ``x [B, D, T]`` over its valid frames, per feature or over all."""
    valid = (torch.arange(x.shape[-1], device=x.device) < seq_len[:, None])[:, None, :]
    if normalize_type == "per_feature":
        dims, count = (2,), seq_len.to(x.dtype)[:, None, None]
    else:
        dims, count = (1, 2), seq_len.to(x.dtype)[:, None, None] * x.shape[1]
    mean = x.masked_fill(~valid, 0).sum(dims, keepdim=True) / count.clamp(min=1)
    centered = (x - mean).masked_fill(~valid, 0)
    var = centered.pow(2).sum(dims, keepdim=True) / (count - 1).clamp(min=1)
    return (x - mean) / (var.sqrt() + STD_GUARD)


def feat_type_to_log(feat_type, log):
    """The ``log`` flag: set by the legacy ``feat_type`` ('logfbank' or 'fbank') when given, else ``log``."""
    if feat_type is None:
        return log
    if feat_type not in FEAT_TYPES:
        raise ValueError(f"feat_type must be one of {sorted(FEAT_TYPES)} or None, got {feat_type!r}")
    return FEAT_TYPES[feat_type]


class SpectrogramFeatures(nn.Module):
    """Power (``mag_power=2``) or magnitude spectrogram, optionally log: ``D = n_fft // 2 + 1``.

    Args:
        sample_rate: audio sample rate in Hz.
        n_window_size, n_window_stride: STFT window length and hop, in samples.
        window: 'hann', 'hamming', 'blackman', 'bartlett' (symmetric) or None (rectangular).
        normalize: 'per_feature', 'all_features' or None.
        n_fft: FFT size; None takes the next power of two of the window.
        preemph: pre-emphasis coefficient, None for none.
        log: take the log, guarded by ``log_zero_guard_type`` ('add' or 'clamp') with
            ``log_zero_guard_value`` (a number, 'tiny' or 'eps').
        dither: std of the Gaussian noise added to the audio in training mode.
        pad_to: pad the time axis to a multiple of this; 0 for none, 'max' for the
            frame count of ``max_duration`` seconds.
        frame_splicing: stack each frame with the next ones.
        stft_conv: compute the STFT as a 1-D convolution (export friendly).
        mag_power: exponent applied to the STFT magnitude (2: power, 1: magnitude).
        pad_value: value of the frames past each utterance's length.
        normalized: divide the STFT by the window's L2 norm (torchaudio's ``normalized``).
    """

    def __init__(
        self,
        sample_rate=16000,
        n_window_size=320,
        n_window_stride=160,
        window="hann",
        normalize="per_feature",
        n_fft=None,
        preemph=0.97,
        log=True,
        log_zero_guard_type="add",
        log_zero_guard_value=2**-24,
        dither=1e-5,
        pad_to=16,
        max_duration=16.7,
        frame_splicing=1,
        stft_conv=False,
        mag_power=2.0,
        pad_value=0.0,
        normalized=False,
    ):
        super().__init__()
        self.normalized = normalized
        if window is not None and window not in WINDOWS:
            raise ValueError(f"window must be one of {sorted(WINDOWS)} or None, got {window!r}")
        if normalize not in NORMALIZE_TYPES:
            raise ValueError(f"normalize must be one of {NORMALIZE_TYPES}, got {normalize!r}")
        if log_zero_guard_type not in ("add", "clamp"):
            raise ValueError(f"log_zero_guard_type must be 'add' or 'clamp', got {log_zero_guard_type!r}")
        if not (pad_to == "max" or (isinstance(pad_to, int) and pad_to >= 0)):
            raise ValueError(f"pad_to must be a non-negative int or 'max', got {pad_to!r}")
        self.n_fft = n_fft or 2 ** math.ceil(math.log2(n_window_size))
        if self.n_fft < n_window_size:
            raise ValueError(f"n_fft ({self.n_fft}) must be at least n_window_size ({n_window_size})")
        self.sample_rate = sample_rate
        self.win_length = n_window_size
        self.hop_length = n_window_stride
        self.normalize = normalize
        self.preemph = preemph
        self.log = log
        self.log_zero_guard_type = log_zero_guard_type
        self.log_zero_guard_value = log_zero_guard_value
        self.dither = dither
        self.pad_to = pad_to
        self.max_length = int(max_duration * sample_rate) // n_window_stride + 1
        self.frame_splicing = frame_splicing
        self.stft_conv = stft_conv
        self.mag_power = mag_power
        self.pad_value = float(pad_value)
        if window is None:
            win = torch.ones(n_window_size)
        else:
            win = WINDOWS[window](n_window_size, periodic=False)
        self.register_buffer("window", win, persistent=False)
        if stft_conv:
            self.register_buffer("dft_basis", self._dft_basis(win), persistent=False)

    def _dft_basis(self, win):
        """Windowed DFT kernels [2 * (n_fft // 2 + 1), 1, n_fft]: cosines then minus sines."""
        left = (self.n_fft - self.win_length) // 2
        padded = F.pad(win.double(), (left, self.n_fft - self.win_length - left))
        k = torch.arange(self.n_fft // 2 + 1, dtype=torch.float64)[:, None]
        angle = 2 * math.pi * k * torch.arange(self.n_fft, dtype=torch.float64) / self.n_fft
        basis = torch.cat([torch.cos(angle), -torch.sin(angle)]) * padded
        return basis[:, None, :].float()

    def get_seq_len(self, seq_len):
        """Number of valid frames for ``seq_len`` audio samples: floor(len / hop) + 1."""
        return torch.div(seq_len.to(torch.int64), self.hop_length, rounding_mode="floor") + 1

    def _power_spectrum(self, x):
        """|STFT(x)| ** mag_power as [B, n_fft // 2 + 1, frames]."""
        if self.stft_conv:
            half = self.n_fft // 2
            spec = F.conv1d(F.pad(x[:, None, :], (half, half)), self.dft_basis, stride=self.hop_length)
            real, imag = spec.chunk(2, dim=1)
        else:
            spec = torch.stft(
                x, n_fft=self.n_fft, hop_length=self.hop_length, win_length=self.win_length,
                window=self.window, center=True, pad_mode="constant", return_complex=True,
            )
            real, imag = spec.real, spec.imag
        power = real.pow(2) + imag.pow(2)
        if self.normalized:
            power = power / self.window.pow(2).sum()
        return power if self.mag_power == 2.0 else power.pow(self.mag_power / 2)

    def _log(self, x):
        guard = self.log_zero_guard_value
        if isinstance(guard, str):
            if guard not in ("tiny", "eps"):
                raise ValueError(f"log_zero_guard_value must be a number, 'tiny' or 'eps', got {guard!r}")
            guard = getattr(torch.finfo(x.dtype), guard)
        if self.log_zero_guard_type == "add":
            return torch.log(x + guard)
        return torch.log(x.clamp(min=guard))

    def _features(self, power):
        """Map the power spectrum [B, F, T] to the features before splicing and normalization."""
        return self._log(power) if self.log else power

    def forward(self, x, seq_len):
        """Features ``[B, D, T]`` and their lengths (int64) of audio ``x [B, T_audio]``."""
        with torch.autocast(device_type=x.device.type, enabled=False):
            x = x.float()
            frames_len = self.get_seq_len(seq_len)
            if self.training and self.dither > 0:
                x = x + self.dither * torch.randn_like(x)
            if self.preemph is not None:
                x = torch.cat((x[:, :1], x[:, 1:] - self.preemph * x[:, :-1]), dim=1)
            samples = torch.arange(x.shape[1], device=x.device)
            x = x.masked_fill(samples >= seq_len.to(x.device)[:, None], 0.0)
            x = self._features(self._power_spectrum(x))
            frames_len = frames_len.to(x.device)
            padded = (torch.arange(x.shape[-1], device=x.device) >= frames_len[:, None])[:, None, :]
            if self.frame_splicing > 1:
                x = splice_frames(x.masked_fill(padded, 0.0), self.frame_splicing)
            if self.normalize:
                x = normalize_batch(x, frames_len, self.normalize)
            x = x.masked_fill(padded, self.pad_value)
            total = x.shape[-1]
            if self.pad_to == "max":
                total = max(total, self.max_length)
            elif self.pad_to > 0:
                total = -(-total // self.pad_to) * self.pad_to
            if total > x.shape[-1]:
                x = F.pad(x, (0, total - x.shape[-1]), value=self.pad_value)
        return x, frames_len


class FilterbankFeatures(SpectrogramFeatures):
    """Log-mel filterbank features (legacy NeMo ``FilterbankFeatures``): ``D = nfilt * frame_splicing``.

    The mel basis is ``librosa.filters.mel`` (Slaney scale and norm) from ``lowfreq`` to
    ``highfreq`` (None: Nyquist). ``feat_type`` is the legacy switch between 'logfbank'
    (log-mel) and 'fbank' (mel energies); when given it takes the place of ``log``. Other
    arguments as :class:`SpectrogramFeatures`.
    """

    def __init__(
        self,
        sample_rate=16000,
        n_window_size=320,
        n_window_stride=160,
        window="hann",
        normalize="per_feature",
        n_fft=None,
        preemph=0.97,
        nfilt=64,
        lowfreq=0,
        highfreq=None,
        log=True,
        log_zero_guard_type="add",
        log_zero_guard_value=2**-24,
        dither=1e-5,
        pad_to=16,
        max_duration=16.7,
        frame_splicing=1,
        stft_conv=False,
        mag_power=2.0,
        pad_value=0.0,
        feat_type=None,
    ):
        log = feat_type_to_log(feat_type, log)
        super().__init__(
            sample_rate=sample_rate, n_window_size=n_window_size, n_window_stride=n_window_stride,
            window=window, normalize=normalize, n_fft=n_fft, preemph=preemph, log=log,
            log_zero_guard_type=log_zero_guard_type, log_zero_guard_value=log_zero_guard_value,
            dither=dither, pad_to=pad_to, max_duration=max_duration, frame_splicing=frame_splicing,
            stft_conv=stft_conv, mag_power=mag_power, pad_value=pad_value,
        )
        self.nfilt = nfilt
        mel = librosa.filters.mel(sr=sample_rate, n_fft=self.n_fft, n_mels=nfilt, fmin=lowfreq, fmax=highfreq)
        self.register_buffer("fb", torch.tensor(mel, dtype=torch.float32), persistent=False)

    def _features(self, power):
        mel = torch.matmul(self.fb, power)
        return self._log(mel) if self.log else mel


class MFCCFeatures(FilterbankFeatures):
    """MFCCs: the DCT-II (``norm``: 'ortho' or None, torchaudio's scaling) of log-mel features, first
    ``n_mfcc`` coefficients.

    ``log_zero_guard_value`` is added to the mel energies before the log; ``log=False`` uses
    decibels floored 80 dB below the peak instead (torchaudio's ``log_mels=False``). Other arguments
    as :class:`FilterbankFeatures` (``n_mels`` is its ``nfilt``).
    """

    def __init__(
        self,
        sample_rate=16000,
        n_window_size=320,
        n_window_stride=160,
        window="hann",
        n_fft=None,
        lowfreq=0.0,
        highfreq=None,
        n_mels=64,
        n_mfcc=64,
        log_zero_guard_value=1e-6,
        normalize=None,
        preemph=None,
        dither=0.0,
        pad_to=16,
        stft_conv=False,
        dct_type=2,
        log=True,
        norm="ortho",
    ):
        if not 0 < n_mfcc <= n_mels:
            raise ValueError(f"n_mfcc must be in [1, n_mels={n_mels}], got {n_mfcc}")
        if dct_type != 2:
            raise ValueError(f"only dct_type=2 is supported (as in torchaudio), got {dct_type!r}")
        if norm not in ("ortho", None):
            raise ValueError(f"norm must be 'ortho' or None, got {norm!r}")
        super().__init__(
            sample_rate=sample_rate, n_window_size=n_window_size, n_window_stride=n_window_stride,
            window=window, normalize=normalize, n_fft=n_fft, preemph=preemph, nfilt=n_mels,
            lowfreq=lowfreq, highfreq=highfreq, log=log, log_zero_guard_value=log_zero_guard_value,
            dither=dither, pad_to=pad_to, stft_conv=stft_conv,
        )
        self.n_mfcc = n_mfcc
        n = torch.arange(n_mels, dtype=torch.float64)
        k = torch.arange(n_mfcc, dtype=torch.float64)[:, None]
        dct = torch.cos(math.pi / n_mels * (n + 0.5) * k)
        if norm == "ortho":
            dct *= math.sqrt(2.0 / n_mels)
            dct[0] /= math.sqrt(2.0)
        else:
            dct *= 2.0
        self.register_buffer("dct", dct.float(), persistent=False)

    def _features(self, power):
        mel = super()._features(power)
        if not self.log:  # decibels with an 80 dB floor below each utterance's peak (torchaudio's MFCC)
            mel = 10.0 * torch.log10(mel.clamp(min=1e-10))
            mel = torch.maximum(mel, mel.amax(dim=(1, 2), keepdim=True) - 80.0)
        return torch.matmul(self.dct, mel)
