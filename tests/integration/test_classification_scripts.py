"""The speech classification data scripts on small real folder layouts built from the bundled clips."""

import importlib
import json
import os
import shutil

import numpy as np
import soundfile as sf

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SC = os.path.join(ROOT, "tests", "data", "speech_commands")


def read_lines(path):
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def test_speech_commands_layout_to_manifests(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(os.path.join(ROOT, "scripts"))
    script = importlib.import_module("process_speech_commands_data")
    root = tmp_path / "sc"
    shutil.copytree(os.path.join(SC, "cat"), root / "cat")
    shutil.copytree(os.path.join(SC, "dog"), root / "yes")        # a command word for the 'sub' split
    (root / "_background_noise_").mkdir()
    sf.write(root / "_background_noise_" / "white.wav", 0.01 * np.random.default_rng(0).standard_normal(48000), 16000)
    (root / "validation_list.txt").write_text("cat/0a196374_nohash_0.wav\n")
    (root / "testing_list.txt").write_text("yes/0a196374_nohash_0.wav\nyes/0ab3b47d_nohash_0.wav\n")
    script.main(["--data_root", str(root), "--out_dir", str(tmp_path / "all")])
    train = read_lines(tmp_path / "all" / "train_manifest.json")
    assert len(train) == 7 and {line["label"] for line in train} == {"cat", "yes"}
    test = read_lines(tmp_path / "all" / "test_manifest.json")
    assert [line["duration"] for line in test] == [1.0, 0.896]
    script.main(["--data_root", str(root), "--out_dir", str(tmp_path / "sub"), "--class_split", "sub"])
    train = read_lines(tmp_path / "sub" / "train_manifest.json")
    labels = [line["label"] for line in train]
    assert labels.count("unknown") == 4 and labels.count("yes") == 3 and labels.count("silence") == 0
    test = read_lines(tmp_path / "sub" / "test_manifest.json")
    assert [line["label"] for line in test] == ["yes", "yes"]   # average command class 0.2 rounds to 0 silence


def test_vad_windows_and_scoring(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(os.path.join(ROOT, "scripts"))
    vad_data, score = importlib.import_module("process_vad_data"), importlib.import_module("score_vad")
    noise = tmp_path / "noise"
    noise.mkdir()
    sf.write(noise / "n.wav", np.zeros(16000 * 2, dtype=np.float32) + 1e-3, 16000)
    vad_data.main(["--speech_manifest", os.path.join(SC, "test_manifest.json"), "--background_dir", str(noise),
                   "--out_manifest", str(tmp_path / "vad.json"), "--window", "0.5", "--shift", "0.25"])
    lines = read_lines(tmp_path / "vad.json")
    assert sum(line["label"] == "background" and "n.wav" in line["audio_filepath"] for line in lines) == 4
    assert all(line["duration"] <= 0.5 for line in lines) and {line["label"] for line in lines} == {"speech", "background"}
    (tmp_path / "ref.rttm").write_text("SPEAKER rec 1 1.000 1.000 <NA> <NA> speech <NA> <NA>\n")
    (tmp_path / "hyp.json").write_text(json.dumps({"audio_filepath": "x/rec.wav", "offset": 1.5, "duration": 1.0}) + "\n")
    result = score.main(["--reference", str(tmp_path / "ref.rttm"), "--hypothesis", str(tmp_path / "hyp.json")])
    # 0.5 s missed and 0.5 s false alarm against 1 s of speech; half of each is right
    assert abs(result["detection_error_rate"] - 1.0) < 1e-9 and abs(result["f1"] - 0.5) < 1e-9
