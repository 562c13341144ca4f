"""Griffin-Lim vocoding of Tacotron 2 log-mel spectrograms through librosa."""
import librosa
import numpy as np


def mel_to_audio(log_mel, sample_rate, n_fft, hop_length, win_length=None, fmin=0.0, fmax=None, mag_power=1.0,
                 n_iters=32, power_boost=1.2):
    """Waveform of one natural-log mel spectrogram ``[n_mel, T]`` (numpy): ``T * hop_length`` samples.

    The mel energies are mapped back to a linear spectrogram with the pseudo-inverse of the
    same Slaney mel basis the front end uses, raised to ``power_boost`` (sharper harmonics,
    the usual Griffin-Lim trick), and phase is recovered with ``n_iters`` Griffin-Lim iterations.
    """
    mel = np.exp(np.asarray(log_mel, dtype=np.float32))
    basis = librosa.filters.mel(sr=sample_rate, n_fft=n_fft, n_mels=mel.shape[0], fmin=fmin, fmax=fmax)
    magnitude = np.maximum(np.linalg.pinv(basis) @ mel, 0.0) ** (1.0 / mag_power)
    frames = mel.shape[1]
    # A centered STFT of (frames - 1) * hop samples has exactly ``frames`` frames; the last hop is silence.
    audio = librosa.griffinlim(magnitude ** power_boost, n_iter=n_iters, hop_length=hop_length,
                               win_length=win_length or n_fft, n_fft=n_fft, window="hann", center=True,
                               length=(frames - 1) * hop_length, random_state=0)
    return np.pad(audio, (0, hop_length)).astype(np.float32)
