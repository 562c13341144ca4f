"""Feature sizes known from constructor arguments are checked when the graph is built."""

import os

import pytest

import nemo_asr
from nemo.core.neural_types import NeuralPortNmTensorMismatchError

AN4 = os.path.join(os.path.dirname(__file__), "..", "..", "data", "an4")
LABELS = list(" abcdefghijklmnopqrstuvwxyz'")
BLOCK = {"filters": 32, "repeat": 1, "kernel": [3], "stride": [1], "dilation": [1], "dropout": 0.0,
         "residual": False}


def _features(features=64):
    dl = nemo_asr.AudioToTextDataLayer(manifest_filepath=os.path.join(AN4, "train_manifest.json"), labels=LABELS,
                                       batch_size=2)
    audio, audio_len, _, _ = dl()
    return nemo_asr.AudioToMelSpectrogramPreprocessor(features=features)(input_signal=audio, length=audio_len)


def test_matching_sizes_connect():
    feats, lengths = _features(64)
    encoded, _ = nemo_asr.JasperEncoder(feat_in=64, activation="relu", jasper=[BLOCK])(audio_signal=feats,
                                                                                        length=lengths)
    log_probs = nemo_asr.JasperDecoderForCTC(feat_in=32, num_classes=len(LABELS))(encoder_output=encoded)
    assert log_probs.ntype.axes[2].size == len(LABELS) + 1


def test_feature_count_mismatch_is_a_port_error_at_the_call():
    feats, lengths = _features(80)
    encoder = nemo_asr.JasperEncoder(feat_in=64, activation="relu", jasper=[BLOCK])
    with pytest.raises(NeuralPortNmTensorMismatchError, match=r"(?s)audio_signal.*D:64.*D:80"):
        encoder(audio_signal=feats, length=lengths)


def test_decoder_feat_in_must_match_encoder_filters():
    feats, lengths = _features(64)
    encoded, _ = nemo_asr.JasperEncoder(feat_in=64, activation="relu", jasper=[BLOCK])(audio_signal=feats,
                                                                                        length=lengths)
    with pytest.raises(NeuralPortNmTensorMismatchError, match="encoder_output"):
        nemo_asr.JasperDecoderForCTC(feat_in=1024, num_classes=len(LABELS))(encoder_output=encoded)
