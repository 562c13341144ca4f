"""The legacy configs build with their published sizes and train one step with a finite loss."""

import os
import sys

import pytest
import torch

import nemo_tts

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
sys.path.insert(0, os.path.join(ROOT, "examples", "tts"))
from tts_common import TTS_SLT, Tacotron2Model, load_config, text_data_layer  # noqa: E402

CONFIGS = os.path.join(ROOT, "examples", "tts", "configs")


def _one_batch(config, count=2, samples=8192):
    """Real utterances cut to their first ``samples`` (a full-size decoder step costs ~0.1 s per frame on CPU)."""
    dataset = text_data_layer(config, os.path.join(TTS_SLT, "val_manifest.json"), count, "train").dataset
    audio, audio_len, transcript, transcript_len = dataset.collate_fn([dataset[i] for i in range(count)])
    return audio[:, :samples], audio_len.clamp(max=samples), transcript, transcript_len


def _train_step(model, batch):
    audio, audio_len, transcript, transcript_len = batch
    mel, mel_len = model.preprocessor(audio, audio_len)
    encoded = model.encoder(model.text_embedding(transcript), transcript_len)
    mel_decoder, gate, alignments = model.decoder(encoded, transcript_len, mel)
    loss = model.loss(mel_out=mel_decoder, mel_out_postnet=model.postnet(mel_decoder), gate_out=gate,
                      mel_target=mel, gate_target=model.make_gate(mel_len, mel), target_len=mel_len)
    if model.guided_attention is not None:
        loss = loss + model.guided_attention(alignments=alignments, encoded_length=transcript_len, target_len=mel_len)
    params = [p for module in model.trainables for p in module.parameters()]
    optimizer = torch.optim.Adam(params, lr=1e-3)
    loss.backward()
    optimizer.step()
    return loss


@pytest.mark.parametrize("name,weights", [("tacotron2.yaml", 28.15e6), ("tacotron2_tiny.yaml", 2e6)])
def test_tacotron2_config_size_and_one_step(name, weights):
    torch.manual_seed(0)
    config = load_config(os.path.join(CONFIGS, name))
    model = Tacotron2Model(config)
    tolerance = 0.01 if name == "tacotron2.yaml" else 0.25
    assert abs(model.num_weights - weights) / weights < tolerance, model.num_weights
    loss = _train_step(model, _one_batch(config))
    assert torch.isfinite(loss)


def test_waveglow_tiny_config_one_step():
    torch.manual_seed(0)
    config = load_config(os.path.join(CONFIGS, "waveglow_tiny.yaml"), required=("WaveGlowNM",))
    module = nemo_tts.WaveGlowNM(**config["WaveGlowNM"])
    mel, audio = torch.randn(2, 80, 8), 0.1 * torch.randn(2, 8 * 256)
    z, log_s, log_det = module(mel_spectrogram=mel, audio=audio)
    loss = nemo_tts.WaveGlowLoss(**config["WaveGlowLoss"])(z=z, log_s_list=log_s, log_det_W_list=log_det)
    loss.backward()
    assert torch.isfinite(loss)


def test_waveglow_full_config_one_step():
    torch.manual_seed(0)
    config = load_config(os.path.join(CONFIGS, "waveglow.yaml"), required=("WaveGlowNM",))
    module = nemo_tts.WaveGlowNM(**config["WaveGlowNM"])
    mel, audio = torch.randn(1, 80, 2), 0.1 * torch.randn(1, 512)
    z, log_s, log_det = module(mel_spectrogram=mel, audio=audio)
    loss = nemo_tts.WaveGlowLoss(**config["WaveGlowLoss"])(z=z, log_s_list=log_s, log_det_W_list=log_det)
    loss.backward()
    assert torch.isfinite(loss)
