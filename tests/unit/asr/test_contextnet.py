"""ContextNet from the legacy-layout config: parameter count, time reduction, CTC log-probs, unknown keys."""
import os

import pytest
import torch
from ruamel.yaml import YAML

import nemo_asr

CONFIG = os.path.join(os.path.dirname(__file__), "..", "..", "..", "examples", "asr", "configs", "contextnet_s.yaml")


@pytest.fixture(scope="module")
def config():
    with open(CONFIG) as handle:
        return YAML(typ="safe").load(handle)


def test_contextnet_small_builds_and_reduces_time_by_8(config):
    encoder = nemo_asr.ContextNetEncoder(feat_in=80, **config["ContextNetEncoder"])
    blocks = config["ContextNetEncoder"]["jasper"]
    decoder = nemo_asr.ContextNetDecoderForCTC(feat_in=blocks[-1]["filters"], num_classes=len(config["labels"]),
                                               **config["ContextNetDecoderForCTC"])
    assert len(blocks) == 23 and blocks[-1]["filters"] == 320
    weights = sum(p.numel() for p in encoder.parameters())
    assert weights == pytest.approx(5.74e6, rel=0.01)
    encoder.eval()
    decoder.eval()
    with torch.no_grad():
        out, lengths = encoder(audio_signal=torch.randn(2, 80, 160), length=torch.tensor([160, 97]))
        log_probs = decoder(encoder_output=out)
    assert out.shape == (2, 320, 20) and lengths.tolist() == [20, 13]
    assert log_probs.shape == (2, 20, 29)
    torch.testing.assert_close(log_probs.exp().sum(-1), torch.ones(2, 20))


def test_contextnet_unknown_block_key_is_named(config):
    blocks = [dict(config["ContextNetEncoder"]["jasper"][0], se_window=3)]
    with pytest.raises(ValueError, match=r"unknown keys \['se_window'\]"):
        nemo_asr.ContextNetEncoder(jasper=blocks, activation="swish", feat_in=80)
