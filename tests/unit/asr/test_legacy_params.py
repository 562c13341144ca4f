"""Legacy parameters: MFCC dct/log/norm, spectrogram normalized, Jasper block keys, decoder vocabulary,
AudioToTextDataLayer(load_audio=False)."""
import os

import librosa
import numpy as np
import pytest
import scipy.fft
import torch

import nemo_asr
from nemo_asr.parts.audio import load_audio
from nemo_asr.parts.features import FilterbankFeatures, MFCCFeatures, SpectrogramFeatures
from nemo_asr.parts.jasper import JasperEncoderCore

AN4 = os.path.join(os.path.dirname(__file__), "..", "..", "data", "an4")
LABELS = list(" abcdefghijklmnopqrstuvwxyz'")


@pytest.fixture(scope="module")
def speech():
    audio = torch.from_numpy(load_audio(os.path.join(AN4, "wav", "an46-mmap-b.wav"), 16000))[None]
    return audio, torch.tensor([audio.shape[1]])


def _block(**extra):
    return {"filters": 32, "repeat": 3, "kernel": [5], "stride": [1], "dilation": [1], "dropout": 0.0,
            "residual": False, **extra}


@pytest.mark.parametrize("norm", ["ortho", None])
def test_mfcc_log_false_and_norm_match_librosa_scipy(speech, norm):
    common = dict(normalize=None, dither=0.0, pad_to=0, n_mels=40, preemph=None)
    mfcc = MFCCFeatures(n_mfcc=13, log=False, norm=norm, **common).eval()
    mel = FilterbankFeatures(nfilt=40, log=False, normalize=None, dither=0.0, pad_to=0, preemph=None).eval()
    out, _ = mfcc(*speech)
    power, _ = mel(*speech)
    db = librosa.power_to_db(power[0].numpy(), ref=1.0, amin=1e-10, top_db=80.0)
    expected = scipy.fft.dct(db, type=2, norm=norm, axis=0)[:13]
    np.testing.assert_allclose(out[0].numpy(), expected, rtol=1e-3, atol=1e-2)
    with pytest.raises(ValueError, match="dct_type=2"):
        MFCCFeatures(dct_type=3)
    prep = nemo_asr.AudioToMFCCPreprocessor(n_mfcc=13, n_mels=40, dct_type=2, log=False, norm=norm)
    assert prep.featurizer.n_mfcc == 13


def test_spectrogram_normalized_divides_by_the_window_energy(speech):
    plain = SpectrogramFeatures(log=False, normalize=None, dither=0.0, pad_to=0).eval()
    scaled = SpectrogramFeatures(log=False, normalize=None, dither=0.0, pad_to=0, normalized=True).eval()
    torch.testing.assert_close(scaled(*speech)[0] * plain.window.pow(2).sum(), plain(*speech)[0], rtol=1e-4, atol=1e-6)
    assert nemo_asr.AudioToSpectrogramPreprocessor(normalized=True).featurizer.normalized


def test_mel_pad_value_fills_padding(speech):
    audio, length = speech
    prep = nemo_asr.AudioToMelSpectrogramPreprocessor(pad_value=-11.5, dither=0.0, pad_to=16)
    out, out_len = prep(input_signal=audio, length=length - 4000)
    assert (out[0, :, int(out_len[0]):] == -11.5).all()


def test_stride_last_strides_once_and_heads_share_kernels():
    x = torch.randn(2, 16, 64)
    lengths = torch.tensor([64, 50])
    every = JasperEncoderCore([_block(stride=[2], residual=False)], "relu", 16)
    last = JasperEncoderCore([_block(stride=[2], stride_last=True)], "relu", 16)
    assert every(x, lengths)[0].shape[-1] == 8 and last(x, lengths)[0].shape[-1] == 32
    assert last(x, lengths)[1].tolist() == [32, 25]
    separable = dict(separable=True, filters=16)
    plain = JasperEncoderCore([_block(**separable)], "relu", 16)
    shared = JasperEncoderCore([_block(heads=4, **separable)], "relu", 16)
    depthwise = [m for m in shared.modules() if isinstance(m, torch.nn.Conv1d) and m.kernel_size[0] == 5]
    assert all(m.weight.shape == (4, 1, 5) for m in depthwise)
    assert sum(p.numel() for p in plain.parameters()) - sum(p.numel() for p in shared.parameters()) == 3 * (16 - 4) * 5
    assert shared(x, lengths)[0].shape == (2, 16, 64)


def test_se_context_window_gates_locally():
    torch.manual_seed(0)
    enc = JasperEncoderCore([_block(repeat=1, se=True, se_context_window=4, se_interpolation_mode="nearest")],
                            "relu", 16).eval()
    x = torch.randn(1, 16, 64)
    changed = x.clone()
    changed[..., 48:] += 5.0
    a, b = enc(x, torch.tensor([64]))[0], enc(changed, torch.tensor([64]))[0]
    torch.testing.assert_close(a[..., :40], b[..., :40])  # frames far from the change keep their gate
    glob = JasperEncoderCore([_block(repeat=1, se=True)], "relu", 16).eval()
    glob.load_state_dict(enc.state_dict())
    assert not torch.allclose(glob(x, torch.tensor([64]))[0][..., :40], glob(changed, torch.tensor([64]))[0][..., :40])


def test_block_residual_mode_and_unknown_key():
    enc = JasperEncoderCore([_block(repeat=1, stride=[2], residual=True, residual_mode="stride_add")], "relu", 16)
    assert enc(torch.randn(1, 16, 32), torch.tensor([32]))[0].shape[-1] == 16
    with pytest.raises(ValueError, match="stride 2 needs residual_mode='stride_add'"):
        JasperEncoderCore([_block(repeat=1, stride=[2], residual=True)], "relu", 16)
    with pytest.raises(ValueError, match=r"unknown keys \['se_windw'\]"):
        JasperEncoderCore([_block(se_windw=3)], "relu", 16)


def test_decoder_vocabulary_and_text_only_data_layer():
    decoder = nemo_asr.JasperDecoderForCTC(feat_in=32, vocabulary=LABELS)
    assert decoder.num_classes == len(LABELS)
    with pytest.raises(ValueError, match="num_classes=5 but the vocabulary has 28"):
        nemo_asr.JasperDecoderForCTC(feat_in=32, num_classes=5, vocabulary=LABELS)
    layer = nemo_asr.AudioToTextDataLayer(os.path.join(AN4, "test_manifest.json"), LABELS, batch_size=4,
                                          load_audio=False)
    audio, audio_len, tokens, token_len = layer.dataset.collate_fn([layer.dataset[i] for i in range(4)])
    assert audio.shape == (4, 0) and not audio_len.any() and tokens.shape[0] == 4 and token_len.min() > 0
