"""Kaldi data directories: KaldiFeatureDataLayer on the AN4 MFCCs (kaldiio) and scp_to_manifest.py."""
import json
import os
import subprocess
import sys

import kaldiio
import pytest
import torch

import nemo_asr

ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "..")
KALDI = os.path.join(ROOT, "tests", "data", "kaldi_an4")
AN4 = os.path.join(ROOT, "tests", "data", "an4")
LABELS = list(" abcdefghijklmnopqrstuvwxyz'")


def test_kaldi_layer_batches_features_and_transcripts():
    layer = nemo_asr.KaldiFeatureDataLayer(KALDI, LABELS, batch_size=4, shuffle=False)
    assert len(layer) == 20
    feats, feat_len, tokens, token_len = next(iter(torch.utils.data.DataLoader(
        layer.dataset, batch_size=4, collate_fn=layer.dataset.collate_fn)))
    reference = kaldiio.load_mat(os.path.join(KALDI, "raw_mfcc.ark") + ":13")  # feats.scp: fcaw-an406-b
    assert feats.shape[:2] == (4, 13) and feat_len[0] == reference.shape[0] == 398
    torch.testing.assert_close(feats[0, :, :398], torch.from_numpy(reference).T)
    assert not feats[0, :, 398:].any()
    text = "".join(LABELS[i] for i in tokens[0, : token_len[0]])
    assert text == "rubout g m e f three nine"


def test_kaldi_layer_duration_filter_and_ports():
    layer = nemo_asr.KaldiFeatureDataLayer(KALDI, LABELS, batch_size=2, max_duration=3.0)
    durations = [float(line.split()[1]) for line in open(os.path.join(KALDI, "utt2dur"))]
    assert len(layer) == sum(d <= 3.0 for d in durations) < 20
    assert list(layer.output_ports) == ["processed_signal", "processed_length", "transcripts", "transcript_length"]
    encoder = nemo_asr.JasperEncoder(feat_in=13, activation="relu", jasper=[
        {"filters": 16, "repeat": 1, "kernel": [3], "stride": [1], "dilation": [1], "dropout": 0.0,
         "residual": False}])
    signal, length, _, _ = layer()
    encoder(audio_signal=signal, length=length)  # the feature port fits the encoder's input


def test_scp_to_manifest(tmp_path):
    lines = [json.loads(line) for line in open(os.path.join(AN4, "test_manifest.json"))][:3]
    wav_dir = os.path.abspath(os.path.join(AN4, "wav"))
    (tmp_path / "wav.scp").write_text("".join(f"utt{i} {wav_dir}/{os.path.basename(l['audio_filepath'])}\n"
                                              for i, l in enumerate(lines)))
    (tmp_path / "text").write_text("".join(f"utt{i} {l['text'].upper()}\n" for i, l in enumerate(lines)))
    out = tmp_path / "manifest.json"
    subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "scp_to_manifest.py"), "--data_dir", str(tmp_path),
                    "--out", str(out), "--lowercase"], check=True, capture_output=True)
    records = [json.loads(line) for line in open(out)]
    assert [r["text"] for r in records] == [l["text"] for l in lines]
    assert [r["duration"] for r in records] == pytest.approx([l["duration"] for l in lines], abs=0.06)
    (tmp_path / "wav.scp").write_text("utt0 sox a.wav -t wav - |\n")
    done = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "scp_to_manifest.py"), "--data_dir",
                           str(tmp_path), "--out", str(out)], capture_output=True, text=True)
    assert done.returncode != 0 and "piped command" in done.stderr
