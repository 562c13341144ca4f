"""A wav whose data chunk is shorter than its header declares (cut from real AN4 audio): libsndfile
reads the bytes present; the dataset warns once per file with the manifest line and filters on
the real length."""
import json
import logging
import os

import pytest
import soundfile as sf

from nemo_asr.parts.audio import AudioLoadError, audio_info, load_audio
from nemo_asr.parts.dataset import AudioDataset

AN4_WAV = os.path.join(os.path.dirname(__file__), "..", "..", "data", "an4", "wav")
WHOLE = os.path.abspath(os.path.join(AN4_WAV, "an46-mmap-b.wav"))  # 16000 samples, 16-bit PCM, 44-byte header
LABELS = list(" abcdefghijklmnopqrstuvwxyz'")


def _cut(path, keep_bytes):
    data = open(WHOLE, "rb").read()
    path.write_bytes(data[:keep_bytes])
    return str(path)


def _manifest(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return str(path)


def _warnings(caplog):
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


def test_probe_reports_real_and_declared_length(tmp_path):
    truncated = _cut(tmp_path / "half.wav", 44 + 16001)  # 8000 samples and half of one more
    assert sf.info(truncated).frames == 8000  # libsndfile clamps the data chunk, silently
    assert load_audio(truncated, 16000).shape == (8000,)
    info = audio_info(truncated)
    assert info.duration == pytest.approx(0.5) and info.declared_duration == pytest.approx(1.0)
    assert audio_info(WHOLE).declared_duration is None and audio_info(WHOLE).duration == pytest.approx(1.0)


def test_dataset_warns_once_per_truncated_file_and_filters_on_real_length(tmp_path, caplog):
    truncated = _cut(tmp_path / "half.wav", 44 + 16000)
    manifest = _manifest(tmp_path / "m.json", [
        {"audio_filepath": "half.wav", "duration": 1.0, "text": "stop"},
        {"audio_filepath": WHOLE, "duration": 1.0, "text": "stop"},
        {"audio_filepath": "half.wav", "duration": 1.0, "text": "go"},
    ])
    with caplog.at_level(logging.WARNING, logger="nemo_asr"):
        everything = AudioDataset(manifest, LABELS)
    (warning,) = _warnings(caplog)
    assert truncated in warning and f"{manifest}:1" in warning and "0.500 s" in warning and "1.000 s" in warning
    assert len(everything) == 3 and everything.total_duration == pytest.approx(2.0)
    assert everything[0][0].shape == (8000,) and int(everything[2][1]) == 8000

    at_least = AudioDataset(manifest, LABELS, min_duration=0.6)
    assert [e.audio_filepath for e in at_least.entries] == [WHOLE]
    at_most = AudioDataset(manifest, LABELS, max_duration=0.8)
    assert [e.text for e in at_most.entries] == ["stop", "go"] and all(e.duration == 0.5 for e in at_most.entries)


def test_offset_segments_of_a_truncated_file_keep_only_the_audio_present(tmp_path):
    _cut(tmp_path / "half.wav", 44 + 16000)
    manifest = _manifest(tmp_path / "m.json", [
        {"audio_filepath": "half.wav", "duration": 0.3, "offset": 0.1, "text": "go"},  # whole segment present
        {"audio_filepath": "half.wav", "duration": 0.3, "offset": 0.4, "text": "go"},  # 0.1 s present
        {"audio_filepath": "half.wav", "duration": 0.3, "offset": 0.7, "text": "go"},  # nothing present
    ])
    ds = AudioDataset(manifest, LABELS, min_duration=0.05, feature_hop=None)
    assert [e.duration for e in ds.entries] == pytest.approx([0.3, 0.1])
    assert ds[1][0].shape == (1600,)


def test_file_cut_inside_its_header_fails_at_construction_naming_the_line(tmp_path):
    _cut(tmp_path / "stub.wav", 30)
    manifest = _manifest(tmp_path / "m.json", [{"audio_filepath": "stub.wav", "duration": 1.0, "text": "go"}])
    with pytest.raises(AudioLoadError, match=rf"stub\.wav.*{manifest}:1"):
        AudioDataset(manifest, LABELS)
