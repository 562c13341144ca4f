"""Shared pieces of the speech classification tests: sample paths, a tiny encoder, noise files."""

import os

import numpy as np
import soundfile as sf

import nemo_asr

DATA = os.path.join(os.path.dirname(__file__), "..", "..", "data")
SC = os.path.abspath(os.path.join(DATA, "speech_commands"))
SPK = os.path.abspath(os.path.join(DATA, "an4_speaker"))
SR = 16000


def tiny_encoder(feat_in, filters=32):
    """A three-block separable QuartzNet encoder (a few thousand weights)."""
    def block(kernel, residual=False):
        return dict(filters=filters, repeat=1, kernel=[kernel], stride=[1], dilation=[1], dropout=0.0,
                    residual=residual, separable=True)

    return nemo_asr.JasperEncoder(feat_in=feat_in, activation="relu", jasper=[block(11), block(13, True), block(1)])


def write_noise_files(folder, seed=0):
    """White noise, pink noise and near-silence (5, 5 and 3 s) as wav files in ``folder``."""
    rng = np.random.default_rng(seed)
    os.makedirs(folder, exist_ok=True)
    white = rng.standard_normal(5 * SR)
    spectrum = np.fft.rfft(rng.standard_normal(5 * SR))
    pink = np.fft.irfft(spectrum / np.sqrt(np.arange(1, len(spectrum) + 1)), 5 * SR)
    sf.write(os.path.join(folder, "white.wav"), (0.01 * white).astype(np.float32), SR)
    sf.write(os.path.join(folder, "pink.wav"), (0.03 * pink / np.abs(pink).max()).astype(np.float32), SR)
    sf.write(os.path.join(folder, "silence.wav"), (1e-4 * rng.standard_normal(3 * SR)).astype(np.float32), SR)
    return folder
