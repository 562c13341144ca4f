"""WaveGlow: invertibility, loss, synthesis length, denoiser, legacy size."""

import math
import os
import sys

import torch

import nemo_tts

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
sys.path.insert(0, os.path.join(ROOT, "examples", "tts"))
from tts_common import load_config  # noqa: E402

SMALL = dict(n_mel_channels=16, n_flows=4, n_group=8, n_early_every=2, n_early_size=2, n_wn_layers=2,
             n_wn_channels=16, upsample_kernel=512)


def _random_couplings(module):
    """Non-zero last WN layers, so every coupling really scales and shifts."""
    for wn in module.waveglow.WN:
        torch.nn.init.normal_(wn.end.weight, std=0.1)
        torch.nn.init.normal_(wn.end.bias, std=0.1)


def test_inverting_z_gives_the_audio_back():
    torch.manual_seed(0)
    module = nemo_tts.WaveGlowNM(**SMALL)
    _random_couplings(module)
    mel, audio = torch.randn(2, 16, 6), 0.3 * torch.randn(2, 6 * 256)
    z, log_s, log_det = module(mel_spectrogram=mel, audio=audio)
    assert z.shape == (2, 8, 6 * 256 // 8) and len(log_s) == len(log_det) == 4
    assert not torch.allclose(z.reshape(2, -1), audio)  # the flow did something
    back = module.waveglow.inverse(z, mel)
    assert float((back - audio).abs().max()) < 1e-3


def test_loss_is_the_gaussian_negative_log_likelihood_at_identity():
    torch.manual_seed(0)
    module = nemo_tts.WaveGlowNM(**SMALL)  # zero-initialised couplings: z is a rotation of the audio
    mel, audio = torch.randn(1, 16, 4), torch.randn(1, 1024)
    z, log_s, log_det = module(mel_spectrogram=mel, audio=audio)
    loss = nemo_tts.WaveGlowLoss(sigma=1.0)(z=z, log_s_list=log_s, log_det_W_list=log_det)
    # Orthogonal mixing (det +1) and no scaling: the loss is sum(x^2) / 2 per element.
    assert math.isclose(float(loss), float(audio.pow(2).sum()) / 2 / audio.numel(), rel_tol=1e-4)
    loss.backward()
    assert all(p.grad is not None for p in module.waveglow.WN[0].parameters() if p.requires_grad)


def test_infer_gives_hop_samples_per_frame_and_denoiser_keeps_length():
    torch.manual_seed(0)
    infer = nemo_tts.WaveGlowInferNM(sigma=0.6, **SMALL)
    _random_couplings(infer)
    audio = infer(mel_spectrogram=torch.randn(2, 16, 7))
    assert audio.shape == (2, 7 * 256) and torch.isfinite(audio).all()
    denoised = nemo_tts.WaveGlowInferNM(sigma=0.6, denoiser_strength=0.1, silence_value=-11.52, **SMALL)
    denoised.load_state_dict(infer.state_dict())
    torch.manual_seed(1)
    plain = infer(mel_spectrogram=torch.full((1, 16, 7), -11.52))
    torch.manual_seed(1)
    cleaned = denoised(mel_spectrogram=torch.full((1, 16, 7), -11.52))
    assert cleaned.shape == plain.shape
    assert float(cleaned.pow(2).mean()) < float(plain.pow(2).mean())  # hiss of a silent mel is reduced


def test_legacy_waveglow_config_has_268_3m_weights():
    config = load_config(os.path.join(ROOT, "examples", "tts", "configs", "waveglow.yaml"), required=("WaveGlowNM",))
    with torch.device("meta"):  # shapes only: no 1 GB of weights to initialise
        count = nemo_tts.WaveGlowNM(**config["WaveGlowNM"]).num_weights
    assert abs(count - 268.3e6) / 268.3e6 < 0.01, count
