"""AudioToSpeechLabelDataLayer on the bundled Speech Commands and AN4 speaker clips."""

import json
import os

import pytest
import soundfile as sf
import torch

import nemo
import nemo_asr
from nemo_asr.parts.manifest import ManifestError
from tests.unit.asr.classification_fixtures import SC, SPK, tiny_encoder

LABELS = ["cat", "dog"]


def batches(layer):
    return list(torch.utils.data.DataLoader(layer.dataset, batch_size=layer.batch_size,
                                            collate_fn=layer.dataset.collate_fn))


def test_ports_labels_and_real_audio():
    layer = nemo_asr.AudioToSpeechLabelDataLayer(manifest_filepath=os.path.join(SC, "test_manifest.json"),
                                                 labels=LABELS, batch_size=4, shuffle=False)
    assert set(layer.output_ports) == {"audio_signal", "a_sig_length", "label", "label_length"}
    assert layer.labels == LABELS and layer.num_classes == 2 and len(layer) == 4
    (audio, audio_len, label, label_len), = batches(layer)
    assert audio.shape == (4, 16000) and audio_len.tolist() == [16000, 16000, 14336, 16000]
    assert label.tolist() == [0, 0, 1, 1] and label_len.tolist() == [1] * 4
    expected, _ = sf.read(os.path.join(SC, "dog", "0ab3b47d_nohash_0.wav"), dtype="float32")
    assert torch.allclose(audio[2, :14336], torch.from_numpy(expected)) and audio[2, 14336:].abs().sum() == 0


def test_time_length_crops_and_pads():
    manifest = os.path.join(SC, "test_manifest.json")
    train = nemo_asr.AudioToSpeechLabelDataLayer(manifest_filepath=manifest, labels=LABELS, batch_size=4,
                                                 time_length=0.5, shuffle=True)
    torch.manual_seed(0)
    (audio, audio_len, _, _), = batches(train)
    assert audio.shape == (4, 8000) and audio_len.tolist() == [8000] * 4
    full, _ = sf.read(os.path.join(SC, "cat", "0ac15fe9_nohash_0.wav"), dtype="float32")
    windows = torch.from_numpy(full).unfold(0, 8000, 1)
    assert (windows == audio[0]).all(dim=1).any()          # a real window of the clip
    torch.manual_seed(1)
    assert not torch.equal(batches(train)[0][0], audio)    # random crops in training
    evaluation = nemo_asr.AudioToSpeechLabelDataLayer(manifest_filepath=manifest, labels=LABELS, batch_size=4,
                                                      time_length=0.5, shuffle=False)
    centre = batches(evaluation)[0][0]
    assert torch.equal(centre[0], torch.from_numpy(full[4000:12000]))
    long = nemo_asr.AudioToSpeechLabelDataLayer(manifest_filepath=manifest, labels=LABELS, batch_size=4,
                                                time_length=1.5, shuffle=False)
    audio, audio_len, _, _ = batches(long)[0]
    assert audio.shape == (4, 24000) and audio_len.tolist()[2] == 14336 and audio[2, 14336:].abs().sum() == 0


def test_speaker_manifest_and_augmentor():
    seen = []

    def halve(signal):
        seen.append(signal.shape[0])
        return signal * 0.5

    layer = nemo_asr.AudioToSpeechLabelDataLayer(manifest_filepath=os.path.join(SPK, "dev_manifest.json"),
                                                 labels=["fash", "ffmm"], batch_size=2, shuffle=False,
                                                 augmentor=halve)
    audio, audio_len, label, _ = batches(layer)[0]
    assert label.tolist() == [0, 1] and audio_len.tolist() == [72000, 36800] and seen == [72000, 36800]
    raw, _ = sf.read(os.path.join(SPK, "wav", "fash", "cen5-fash-b.wav"), dtype="float32")
    assert torch.allclose(audio[0, :72000], torch.from_numpy(raw) * 0.5)


def test_unknown_label_names_the_line(tmp_path):
    lines = open(os.path.join(SC, "test_manifest.json")).read().splitlines()
    record = json.loads(lines[1])
    record.update(label="bird", audio_filepath=os.path.join(SC, record["audio_filepath"]))
    manifest = tmp_path / "bad.json"
    manifest.write_text(json.dumps(record) + "\n")
    with pytest.raises(ManifestError, match=r"bad.json:1: label 'bird' is not one of the labels"):
        nemo_asr.AudioToSpeechLabelDataLayer(manifest_filepath=str(manifest), labels=LABELS, batch_size=1)
    del record["label"]
    manifest.write_text(json.dumps(record) + "\n")
    with pytest.raises(ManifestError, match=r"bad.json:1: missing key\(s\) \['label'\]"):
        nemo_asr.AudioToSpeechLabelDataLayer(manifest_filepath=str(manifest), labels=LABELS, batch_size=1)


def test_graph_ports_connect():
    layer = nemo_asr.AudioToSpeechLabelDataLayer(manifest_filepath=os.path.join(SC, "test_manifest.json"),
                                                 labels=LABELS, batch_size=4)
    audio, audio_len, label, label_len = layer()
    spec, spec_len = nemo_asr.AudioToMFCCPreprocessor(n_mfcc=20, n_mels=40)(input_signal=audio, length=audio_len)
    encoded, encoded_len = tiny_encoder(20)(audio_signal=spec, length=spec_len)
    logits = nemo_asr.JasperDecoderForClassification(feat_in=32, num_classes=2)(encoder_output=encoded,
                                                                                encoded_lengths=encoded_len)
    loss = nemo_asr.CrossEntropyLossNM()(logits=logits, labels=label)
    assert isinstance(loss, nemo.core.NmTensor)
