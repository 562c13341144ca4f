"""The ASR neural modules: ports, shapes on real AN4 audio, CTC loss by hand, helpers."""

import math
import os

import pytest
import torch
from ruamel.yaml import YAML

import nemo
import nemo_asr
from nemo.core.neural_types import NeuralPortNmTensorMismatchError
from nemo_asr.helpers import (
    post_process_predictions,
    post_process_transcripts,
    process_evaluation_batch,
    process_evaluation_epoch,
)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
AN4 = os.path.join(ROOT, "tests", "data", "an4")
LABELS = [" "] + [chr(c) for c in range(ord("a"), ord("z") + 1)] + ["'"]


def _config(name):
    with open(os.path.join(ROOT, "examples", "asr", "configs", name)) as handle:
        return YAML(typ="safe").load(handle)


def test_data_layer_batches_from_an4_manifest():
    nf = nemo.core.NeuralModuleFactory(placement=nemo.core.DeviceType.CPU)
    layer = nemo_asr.AudioToTextDataLayer(manifest_filepath=os.path.join(AN4, "test_manifest.json"),
                                          labels=LABELS, batch_size=4, shuffle=False)
    audio, audio_len, text, text_len = layer()
    assert len(layer) == 10
    audios, audio_lens, texts, text_lens = nf.infer([audio, audio_len, text, text_len])
    assert [a.shape[0] for a in audios] == [4, 4, 2]
    assert audios[0].dtype == torch.float32 and audios[0].shape[1] == int(audio_lens[0].max())
    first = post_process_transcripts([texts[0]], [text_lens[0]], LABELS)[0]
    with open(os.path.join(AN4, "test_manifest.json")) as handle:
        import json

        assert first == json.loads(handle.readline())["text"]


def test_legacy_preprocessor_alias_and_output_lengths():
    assert nemo_asr.AudioPreprocessing is nemo_asr.AudioToMelSpectrogramPreprocessor
    pre = nemo_asr.AudioPreprocessing()
    audio = torch.randn(2, 16000)
    feats, lengths = pre.eval()(input_signal=audio, length=torch.tensor([16000, 8000]))
    assert feats.shape[:2] == (2, 64) and feats.shape[2] % 16 == 0
    assert lengths.tolist() == [101, 51]
    assert torch.all(feats[1, :, 51:] == 0)


def test_port_types_connect_and_mismatch_is_rejected():
    layer = nemo_asr.AudioToTextDataLayer(manifest_filepath=os.path.join(AN4, "test_manifest.json"),
                                          labels=LABELS, batch_size=4)
    audio, audio_len, text, text_len = layer()
    encoder = nemo_asr.JasperEncoder(feat_in=64, **_config("jasper_an4.yaml")["JasperEncoder"])
    with pytest.raises(NeuralPortNmTensorMismatchError, match="audio_signal"):
        encoder(audio_signal=audio, length=audio_len)
    spec, spec_len = nemo_asr.AudioToMelSpectrogramPreprocessor()(input_signal=audio, length=audio_len)
    encoded, encoded_len = encoder(audio_signal=nemo_asr.SpectrogramAugmentation()(input_spec=spec), length=spec_len)
    log_probs = nemo_asr.JasperDecoderForCTC(feat_in=256, num_classes=len(LABELS))(encoder_output=encoded)
    nemo_asr.GreedyCTCDecoder()(log_probs=log_probs)
    loss = nemo_asr.CTCLossNM(num_classes=len(LABELS))(log_probs=log_probs, targets=text, input_length=encoded_len,
                                                      target_length=text_len)
    assert loss.unique_name.startswith("loss~~~ctclossnm")


def test_ctc_loss_matches_hand_computation():
    # Two classes plus blank (index 2); T=2 frames; target "0".
    probs = torch.tensor([[[0.6, 0.1, 0.3], [0.2, 0.2, 0.6]]])
    loss_nm = nemo_asr.CTCLossNM(num_classes=2)
    loss = loss_nm(log_probs=probs.log(), targets=torch.tensor([[0]]), input_length=torch.tensor([2]),
                   target_length=torch.tensor([1]))
    # paths: (0,0), (0,blank), (blank,0)
    expected = -math.log(0.6 * 0.2 + 0.6 * 0.6 + 0.3 * 0.2)
    assert loss.item() == pytest.approx(expected, rel=1e-5)
    with pytest.raises(ValueError, match="reduction"):
        nemo_asr.CTCLossNM(num_classes=2, reduction="avg")


def test_decoder_blank_is_last_and_greedy_postprocessing():
    decoder = nemo_asr.JasperDecoderForCTC(feat_in=8, num_classes=len(LABELS))
    out = decoder(encoder_output=torch.randn(2, 8, 5))
    assert out.shape == (2, 5, len(LABELS) + 1)
    assert torch.allclose(out.exp().sum(-1), torch.ones(2, 5), atol=1e-5)
    blank = len(LABELS)
    ids = torch.tensor([[8, 8, blank, 9, 9, blank, 9, blank], [blank] * 8])  # "h", "i", "i"
    assert post_process_predictions([ids], LABELS) == ["hii", ""]


def test_evaluation_helpers_compute_loss_and_wer():
    blank = len(LABELS)
    predictions = torch.tensor([[20, blank, 8, 5], [3, 1, 20, blank]])  # "the", "cat"
    transcripts = torch.tensor([[20, 8, 5, 0], [4, 15, 7, 0]])  # "the", "dog"
    lengths = torch.tensor([3, 3])
    global_vars = {}
    tensors = {
        "loss~~~CTCLossNM0~~~call1": [torch.tensor(2.0)],
        "predictions~~~GreedyCTCDecoder0~~~call1": [predictions],
        "transcripts~~~AudioToTextDataLayer1": [transcripts],
        "transcript_length~~~AudioToTextDataLayer1": [lengths],
    }
    process_evaluation_batch(tensors, global_vars, labels=LABELS)
    tensors["loss~~~CTCLossNM0~~~call1"] = [torch.tensor(4.0)]
    process_evaluation_batch(tensors, global_vars, labels=LABELS)
    result = process_evaluation_epoch(global_vars, tag="DEV")
    assert result == {"Evaluation_Loss_DEV": pytest.approx(3.0), "Evaluation_WER_DEV": pytest.approx(0.5)}
    cer = process_evaluation_epoch(global_vars, eval_metric="CER")
    assert cer["Evaluation_CER"] == pytest.approx(6 / 12)


def test_greedy_decoder_blanks_frames_past_length():
    log_probs = torch.log_softmax(torch.randn(2, 6, 4), dim=-1)
    decoder = nemo_asr.GreedyCTCDecoder()
    full = decoder(log_probs=log_probs)
    masked = decoder(log_probs=log_probs, log_probs_length=torch.tensor([6, 3]))
    assert torch.equal(full, log_probs.argmax(-1))
    assert torch.equal(masked[0], full[0])
    assert torch.equal(masked[1, :3], full[1, :3]) and torch.all(masked[1, 3:] == 3)


def test_jasper_encoder_exports_to_onnx_and_torchscript(tmp_path):
    import onnxruntime

    nf = nemo.core.NeuralModuleFactory(placement=nemo.core.DeviceType.CPU)
    encoder = nemo_asr.JasperEncoder(feat_in=64, **_config("quartznet_an4.yaml")["JasperEncoder"])
    example = (torch.randn(2, 64, 48), torch.tensor([48, 30]))
    onnx_path = nf.deployment_export(encoder, str(tmp_path / "encoder.onnx"), input_example=example)
    session = onnxruntime.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
    spec, length = torch.randn(3, 64, 64), torch.tensor([64, 40, 20])
    outputs, lengths = session.run(None, {"audio_signal": spec.numpy(), "length": length.numpy()})
    with torch.no_grad():
        expected, expected_len = encoder.eval()(audio_signal=spec, length=length)
    assert lengths.tolist() == expected_len.tolist()
    assert torch.allclose(torch.from_numpy(outputs), expected, atol=1e-4)
    ts_path = nf.deployment_export(encoder, str(tmp_path / "encoder.ts"), input_example=example)
    scripted_out, _ = torch.jit.load(ts_path)(*example)
    with torch.no_grad():
        assert torch.allclose(scripted_out, encoder(audio_signal=example[0], length=example[1])[0], atol=1e-5)
