"""Spectrogram / filterbank / MFCC features against librosa, and spectrogram masking."""
import os
import random

import librosa
import numpy as np
import pytest
import scipy.signal
import soundfile as sf
import torch

from nemo_asr.parts.features import FilterbankFeatures, MFCCFeatures, SpectrogramFeatures
from nemo_asr.parts.spec_augment import SpecAugment, SpecCutout

WAV_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "data", "an4", "wav")
FILES = ["cen3-fjlp-b.wav", "an443-mmxg-b.wav", "an46-mmap-b.wav"]  # 20800, 11200, 16000 samples
PLAIN = dict(dither=0.0, preemph=None, normalize=None, log=False, pad_to=0)


def read(name):
    return sf.read(os.path.join(WAV_DIR, name), dtype="float32")[0]


def batch_of(names):
    signals = [torch.from_numpy(read(n)) for n in names]
    lengths = torch.tensor([len(s) for s in signals])
    audio = torch.zeros(len(signals), int(lengths.max()))
    for i, s in enumerate(signals):
        audio[i, : len(s)] = s
    return audio, lengths


def librosa_mel(y):
    window = scipy.signal.get_window("hann", 320, fftbins=False)
    return librosa.feature.melspectrogram(
        y=y, sr=16000, n_fft=512, hop_length=160, win_length=320, window=window,
        center=True, pad_mode="constant", power=2.0, n_mels=64,
    )


def assert_close(out, ref, tol=1e-4, floor=1e-6):
    """Relative error on the total norm, and elementwise where |ref| > floor * max|ref|."""
    assert out.shape == ref.shape
    assert np.linalg.norm(out - ref) / np.linalg.norm(ref) < tol
    big = np.abs(ref) > floor * np.abs(ref).max()
    assert np.max(np.abs(out - ref)[big] / np.abs(ref)[big]) < tol


@pytest.mark.parametrize("stft_conv", [False, True])
def test_mel_matches_librosa(stft_conv):
    y = read(FILES[0])
    feats = FilterbankFeatures(stft_conv=stft_conv, **PLAIN).eval()
    out, length = feats(torch.from_numpy(y)[None], torch.tensor([len(y)]))
    assert int(length) == len(y) // 160 + 1 == out.shape[-1]
    assert_close(out[0].numpy(), librosa_mel(y))


def test_log_guards_and_spectrogram_match_librosa():
    y = read(FILES[1])
    x, n = torch.from_numpy(y)[None], torch.tensor([len(y)])
    mel = librosa_mel(y)
    plain = dict(PLAIN, log=True)
    out, _ = FilterbankFeatures(**plain).eval()(x, n)
    assert_close(out[0].numpy(), np.log(mel + 2**-24))
    out, _ = FilterbankFeatures(log_zero_guard_type="clamp", log_zero_guard_value="tiny", **plain).eval()(x, n)
    assert_close(out[0].numpy(), np.log(np.maximum(mel, np.finfo(np.float32).tiny)))
    window = scipy.signal.get_window("hann", 320, fftbins=False)
    spec = np.abs(librosa.stft(y, n_fft=512, hop_length=160, win_length=320, window=window, pad_mode="constant"))
    power, _ = SpectrogramFeatures(**PLAIN).eval()(x, n)
    assert power.shape[1] == 257
    assert_close(power[0].numpy(), spec**2, floor=1e-5)  # unsmoothed bins: float32 FFT noise
    magnitude, _ = SpectrogramFeatures(mag_power=1.0, **PLAIN).eval()(x, n)
    assert torch.allclose(magnitude, power.sqrt(), rtol=1e-5)


def test_mfcc_is_dct_of_log_mel():
    y = read(FILES[2])
    out, _ = MFCCFeatures(n_mfcc=13, pad_to=0)(torch.from_numpy(y)[None], torch.tensor([len(y)]))
    ref = librosa.feature.mfcc(S=np.log(librosa_mel(y) + 1e-6), n_mfcc=13)
    assert out.shape == (1, 13, len(y) // 160 + 1)
    assert np.abs(out[0].numpy() - ref).max() < 1e-3 * np.abs(ref).max()
    with pytest.raises(ValueError, match="n_mfcc"):
        MFCCFeatures(n_mels=20, n_mfcc=40)


def test_padded_batch_lengths_masking_and_invariance():
    audio, lengths = batch_of(FILES)
    feats = FilterbankFeatures(dither=0.0).eval()  # legacy defaults: preemph, log, per_feature, pad_to=16
    out, out_len = feats(audio, lengths)
    assert out_len.dtype == torch.int64
    assert out_len.tolist() == [131, 71, 101]
    assert out.shape == (3, 64, 144)
    for i, n in enumerate(out_len.tolist()):
        assert torch.count_nonzero(out[i, :, n:]) == 0
        valid = out[i, :, :n]
        assert torch.allclose(valid.mean(dim=1), torch.zeros(64), atol=1e-4)
        assert torch.allclose(valid.std(dim=1), torch.ones(64), atol=1e-3)
        alone, _ = feats(audio[i : i + 1, : lengths[i]], lengths[i : i + 1])
        assert torch.allclose(alone[0, :, :n], valid, atol=1e-4)
    out, _ = FilterbankFeatures(dither=0.0, normalize="all_features").eval()(audio, lengths)
    valid = out[1, :, :71]
    assert abs(float(valid.mean())) < 1e-4 and abs(float(valid.std()) - 1) < 1e-3


def test_dither_only_in_training_and_padding_options():
    audio, lengths = batch_of(FILES[:2])
    feats = FilterbankFeatures(pad_to="max", max_duration=2.0)
    out_eval_1, _ = feats.eval()(audio, lengths)
    out_eval_2, _ = feats(audio, lengths)
    assert torch.equal(out_eval_1, out_eval_2) and out_eval_1.shape[-1] == 201
    out_train, out_len = feats.train()(audio, lengths)
    assert not torch.equal(out_train, out_eval_1)
    assert torch.count_nonzero(out_train[1, :, int(out_len[1]) :]) == 0


def test_frame_splicing_stacks_next_frames():
    audio, lengths = batch_of(FILES[:2])
    base, _ = FilterbankFeatures(**PLAIN).eval()(audio, lengths)
    spliced, out_len = FilterbankFeatures(frame_splicing=3, **PLAIN).eval()(audio, lengths)
    assert spliced.shape == (2, 192, base.shape[-1])
    assert torch.equal(spliced[:, :64], base)
    assert torch.equal(spliced[:, 64:128, :-1], base[:, :, 1:])
    n = int(out_len[1])
    assert torch.count_nonzero(spliced[1, 128:, n - 2 :]) == 0


def test_bad_feature_arguments():
    for kwargs, message in [
        ({"window": "kaiser"}, "window"),
        ({"normalize": "global"}, "normalize"),
        ({"log_zero_guard_type": "mul"}, "log_zero_guard_type"),
        ({"pad_to": -1}, "pad_to"),
        ({"n_fft": 256}, "n_fft"),
    ]:
        with pytest.raises(ValueError, match=message):
            FilterbankFeatures(**kwargs)
    with pytest.raises(ValueError, match="log_zero_guard_value"):
        FilterbankFeatures(log_zero_guard_value="huge")(torch.zeros(1, 800), torch.tensor([800]))


def test_spec_augment_masks_reproducibly_in_training_only():
    x = torch.ones(2, 64, 100)
    aug = SpecAugment(freq_masks=2, time_masks=3, freq_width=10, time_width=0.1, rng=random.Random(0))
    assert torch.equal(aug.eval()(x), x)
    aug.train()
    first = aug(x, length=torch.tensor([100, 50]))
    second = SpecAugment(2, 3, 10, 0.1, rng=random.Random(0)).train()(x, length=torch.tensor([100, 50]))
    assert torch.equal(first, second) and first.sum() < x.sum()
    time_masked = first.eq(0).all(dim=1)  # [B, T]: frames zeroed by time masks
    assert not time_masked[1, 50:].any() and int(time_masked[1].sum()) <= 3 * 5
    assert int(time_masked[0].sum()) <= 3 * 10
    assert int(first.eq(0).all(dim=2).sum()) <= 2 * 2 * 10
    with pytest.raises(ValueError, match="time_width"):
        SpecAugment(time_width=1.5)


def test_spec_cutout_rectangles():
    x = torch.ones(3, 64, 80)
    cut = SpecCutout(rect_masks=4, rect_time=5, rect_freq=20, rng=random.Random(1))
    assert torch.equal(cut.eval()(x), x)
    out = cut.train()(x)
    assert out.sum() < x.sum() and (x - out).sum() <= 3 * 4 * 5 * 20
    assert torch.equal(out, SpecCutout(4, 5, 20, rng=random.Random(1)).train()(x))
