"""Manifests, transcripts, audio loading and the ASR dataset on real AN4 audio."""
import json
import logging
import os

import numpy as np
import pytest
import soundfile as sf
import torch

from nemo_asr.parts.audio import AudioLoadError, load_audio
from nemo_asr.parts.dataset import AudioDataset, seq_collate_fn
from nemo_asr.parts.manifest import ManifestError, read_manifest
from nemo_asr.parts.text import CharParser, normalize_text

AN4 = os.path.join(os.path.dirname(__file__), "..", "..", "data", "an4")
TRAIN = os.path.join(AN4, "train_manifest.json")
TEST = os.path.join(AN4, "test_manifest.json")
WAV = os.path.abspath(os.path.join(AN4, "wav", "cen3-fjlp-b.wav"))
LABELS = list(" abcdefghijklmnopqrstuvwxyz'")


def write_manifest(path, records):
    """Write records (dicts or raw strings) as manifest lines."""
    with open(path, "w", encoding="utf-8") as handle:
        for record in records:
            handle.write((record if isinstance(record, str) else json.dumps(record)) + "\n")
    return str(path)


def utt(text="yes", duration=1.3, path=WAV, **extra):
    return {"audio_filepath": path, "duration": duration, "text": text, **extra}


# ---------------------------------------------------------------- manifests


def test_manifest_resolves_paths_against_its_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    entries = read_manifest(TRAIN)
    assert len(entries) == 30
    assert all(os.path.isabs(e.audio_filepath) and os.path.isfile(e.audio_filepath) for e in entries)
    assert entries[0].text == "stop" and entries[0].duration == 1.0 and entries[0].offset == 0.0
    assert entries[0].source.endswith("train_manifest.json:1")


def test_several_manifests_and_filters():
    assert len(read_manifest(f"{TRAIN},{TEST}")) == 40
    assert len(read_manifest([TRAIN, TEST])) == 40
    assert len(read_manifest(TEST, max_duration=0.8)) == 6
    assert len(read_manifest(TEST, min_duration=1.0)) == 3
    assert len(read_manifest(TEST, min_duration=0.8, max_duration=1.0)) == 7
    assert [e.text for e in read_manifest(TEST, max_utts=2)] == ["no", "go"]
    assert len(read_manifest(TEST, max_utts=0)) == 10


@pytest.mark.parametrize(
    "line, expected",
    [
        ("{not json", "expected one JSON object per line"),
        ('["a list"]', "expected a JSON object"),
        (json.dumps({"audio_filepath": WAV, "duration": 1.0}), "missing key(s) ['text']"),
        (json.dumps(utt(duration="long")), "'duration' must be a non-negative number"),
        (json.dumps(utt(offset=-1)), "'offset' must be a non-negative number"),
        (json.dumps(utt(text=None)), "'text' must be a string"),
        (json.dumps(utt(path="wav/nothere.wav")), "audio file not found"),
    ],
)
def test_bad_manifest_line_names_file_and_line(tmp_path, line, expected):
    path = write_manifest(tmp_path / "bad.json", [utt(), "", "   ", line])
    with pytest.raises(ManifestError) as info:
        read_manifest(path)
    message = str(info.value)
    assert f"{path}:4" in message and expected in message
    if "not found" in expected:
        assert os.path.join(str(tmp_path), "wav", "nothere.wav") in message


def test_missing_manifest_is_reported():
    with pytest.raises(ManifestError, match="manifest file not found: /no/such.json"):
        read_manifest("/no/such.json")
    with pytest.raises(ManifestError, match="no manifest file"):
        read_manifest(" , ")


# ---------------------------------------------------------------- text


@pytest.mark.parametrize(
    "text, expected",
    [
        ("25 Cats", "twenty five cats"),
        ("It costs $3!", "it costs three dollars"),
        ("$3.50 and $1", "three dollars fifty cents and one dollar"),
        ("rock & roll", "rock and roll"),
        ("50% off, 1,000 times", "fifty percent off one thousand times"),
        ("the 21st well-known  item", "the twenty first well known item"),
        ("Don't \"stop\".", "don't stop"),
        ("pi is 3.14", "pi is three point one four"),
    ],
)
def test_normalize_text(text, expected):
    assert normalize_text(text, LABELS) == expected


def test_char_parser_drops_or_maps_unknown_characters():
    assert CharParser(LABELS)("Ab c") == [1, 2, 0, 3]
    ids, unknown = CharParser(LABELS).encode("café 2")
    assert ids == [3, 1, 6, 0, 20, 23, 15] and unknown == ["é"]
    ids, unknown = CharParser(LABELS, unk_id=99).encode("é")
    assert ids == [99] and unknown == ["é"]
    assert CharParser(LABELS, do_normalize=False)("a-1") == [1]
    assert CharParser(LABELS, blank_id=1).encode("ab") == ([2], ["a"])
    with pytest.raises(ValueError, match="duplicates"):
        CharParser(["a", "a"])
    with pytest.raises(ValueError, match="single characters"):
        CharParser(["ab"])


# ---------------------------------------------------------------- audio


def test_load_audio_float_int_offset_duration():
    ref, sr = sf.read(WAV, dtype="float32")
    samples = load_audio(WAV, 16000)
    assert samples.dtype == np.float32 and np.array_equal(samples, ref) and sr == 16000
    raw = load_audio(WAV, 16000, int_values=True)
    assert np.array_equal(raw, sf.read(WAV, dtype="int16")[0].astype(np.float32))
    part = load_audio(WAV, 16000, offset=0.25, duration=0.5)
    assert np.array_equal(part, ref[4000:12000])


def test_load_audio_resamples_and_mixes_to_mono(tmp_path):
    ref = load_audio(WAV, 16000)
    low = str(tmp_path / "low.wav")
    sf.write(low, ref[::2], 8000)
    up = load_audio(low, 16000)
    assert up.dtype == np.float32 and up.shape == ref.shape
    assert np.corrcoef(up, ref)[0, 1] > 0.9
    assert load_audio(WAV, 8000).shape == (len(ref) // 2,)
    stereo = str(tmp_path / "stereo.wav")
    sf.write(stereo, np.stack([ref, 0.5 * ref], axis=1), 16000, subtype="FLOAT")
    assert np.allclose(load_audio(stereo, 16000), 0.75 * ref, atol=1e-7)


def test_load_audio_trim_and_errors(tmp_path):
    ref = load_audio(WAV, 16000)
    padded = str(tmp_path / "padded.wav")
    sf.write(padded, np.concatenate([np.zeros(8000), ref, np.zeros(8000)]), 16000)
    assert len(load_audio(padded, 16000, trim=True)) <= len(ref) + 4096
    with pytest.raises(FileNotFoundError, match="nothere.wav"):
        load_audio(str(tmp_path / "nothere.wav"), 16000)
    garbage = tmp_path / "garbage.wav"
    garbage.write_bytes(b"this is not audio" * 10)
    with pytest.raises(AudioLoadError, match="garbage.wav"):
        load_audio(str(garbage), 16000)
    with pytest.raises(AudioLoadError, match="no samples"):
        load_audio(WAV, 16000, offset=5.0)


# ---------------------------------------------------------------- dataset


def test_dataset_items_and_collate():
    ds = AudioDataset(TEST, LABELS)
    assert len(ds) == 10 and ds.total_duration == pytest.approx(9.1)
    audio, audio_len, tokens, tokens_len = ds[0]
    assert audio.dtype == torch.float32 and audio.dim() == 1 and int(audio_len) == audio.shape[0]
    assert tokens.tolist() == [14, 15] and tokens.dtype == torch.int64 and int(tokens_len) == 2
    batch = [ds[i] for i in (0, 9)]
    audio, audio_len, tokens, tokens_len = ds.collate_fn(batch)
    assert audio.shape == (2, int(audio_len.max())) and audio_len.dtype == torch.int64
    assert torch.count_nonzero(audio[0, int(audio_len[0]):]) == 0
    assert tokens.shape == (2, 9) and tokens_len.tolist() == [2, 9] and tokens_len.dtype == torch.int64
    assert tokens[0, 2:].tolist() == [0] * 7


def test_dataset_bos_eos_pad_and_loader():
    ds = AudioDataset(TEST, LABELS, bos_id=28, eos_id=29, pad_id=30, max_utts=3)
    assert len(ds) == 3 and ds[0][2].tolist() == [28, 14, 15, 29]
    loader = torch.utils.data.DataLoader(ds, batch_size=3, collate_fn=ds.collate_fn)
    _, _, tokens, tokens_len = next(iter(loader))
    assert tokens_len.tolist() == [4, 4, 6] and tokens[0, 4:].tolist() == [30, 30]
    _, _, tokens, _ = seq_collate_fn([ds[0], ds[2]])
    assert tokens[0, 4:].tolist() == [0, 0]


def test_dataset_augmentor_and_filters():
    ds = AudioDataset([TRAIN, TEST], LABELS, min_duration=1.0, max_utts=4, augmentor=lambda a: a * 0)
    assert len(ds) == 4 and torch.count_nonzero(ds[0][0]) == 0


def test_dataset_skips_and_warns_once_per_reason(tmp_path, caplog):
    records = [
        utt("yes"),
        utt("née café"),
        utt("naïve"),
        utt("?!"),
        utt("..."),
        utt("x" * 66, duration=1.3),
        utt("x" * 65, duration=1.3),
    ]
    path = write_manifest(tmp_path / "m.json", records)
    with caplog.at_level(logging.WARNING, logger="nemo_asr"):
        ds = AudioDataset(path, LABELS)
    assert len(ds) == 4 and ds.tokens[1].tolist() == [14, 5, 0, 3, 1, 6]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 3
    unknown = [w for w in warnings if "not in labels" in w]
    assert len(unknown) == 1 and unknown[0].startswith("3 ") and "'éï'" in unknown[0]
    empty = [w for w in warnings if "empty transcript" in w]
    assert len(empty) == 1 and "skipped 2 " in empty[0] and f"{path}:4" in empty[0]
    too_long = [w for w in warnings if "too long" in w]
    assert len(too_long) == 1 and "skipped 1 " in too_long[0] and f"{path}:6" in too_long[0]
    assert len(AudioDataset(path, LABELS, feature_hop=None)) == 5


def test_dataset_resamples_and_mixes_down(tmp_path):
    ref = load_audio(WAV, 16000)
    sf.write(tmp_path / "low.wav", ref[::2], 8000)
    sf.write(tmp_path / "stereo.wav", np.stack([ref, ref], axis=1), 16000)
    path = write_manifest(tmp_path / "m.json", [utt(path="low.wav"), utt(path="stereo.wav")])
    ds = AudioDataset(path, LABELS, sample_rate=16000)
    assert ds[0][0].shape == (len(ref),) and int(ds[0][1]) == len(ref)
    assert ds[1][0].dim() == 1 and torch.allclose(ds[1][0], torch.from_numpy(ref), atol=1e-4)


def test_dataset_offset_int_values_and_missing_file(tmp_path):
    copy = tmp_path / "copy.wav"
    copy.write_bytes(open(WAV, "rb").read())
    path = write_manifest(tmp_path / "m.json", [utt(path="copy.wav", offset=0.5, duration=0.25)])
    ds = AudioDataset(path, LABELS, int_values=True)
    assert ds[0][0].shape == (4000,) and ds[0][0].abs().max() > 1.0
    os.remove(copy)
    with pytest.raises(FileNotFoundError) as info:
        ds[0]
    assert str(copy) in str(info.value) and f"{path}:1" in str(info.value)


def test_case_is_kept_when_the_labels_have_upper_case_letters():
    from nemo_asr.parts.text import CharParser

    assert CharParser(list(" abc"), do_normalize=False).encode("AbC") == ([1, 2, 3], [])
    assert CharParser(list(" abcABC"), do_normalize=False).encode("AbC") == ([4, 2, 6], [])  # TTS-style labels
