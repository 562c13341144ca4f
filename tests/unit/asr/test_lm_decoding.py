"""N-gram LM building (Kneser-Ney, ARPA) and CTC beam search with the LM (BeamSearchDecoderWithLM)."""
import csv
import json
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

import nemo_asr
from nemo_asr.parts.ctc_beam_search import load_scorer
from nemo_asr.parts.ngram_lm import ArpaFormatError, NgramModel, training_words

ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "..")
AN4 = os.path.join(ROOT, "tests", "data", "an4")
LABELS = list(" abcdefghijklmnopqrstuvwxyz'")


def _sentences():
    texts = [json.loads(line)["text"] for name in ("train_manifest.json", "test_manifest.json")
             for line in open(os.path.join(AN4, name))]
    with open(os.path.join(ROOT, "tests", "data", "tts_slt", "metadata.csv"), encoding="utf-8") as handle:
        texts += [row[-1] for row in csv.reader(handle, delimiter="|")][:60]
    return [training_words(t, LABELS) for t in texts]


@pytest.fixture(scope="module")
def corpus():
    return _sentences()


@pytest.mark.parametrize("order", [1, 2, 3, 4])
def test_kneser_ney_is_normalised(corpus, order):
    model = NgramModel.kneser_ney(corpus, order)
    vocab = sorted(model.vocab)
    contexts = [()] + [gram for level in model.probs[:-1] for gram in list(level)[:40]] + [("zebra", "the")]
    for context in contexts:
        total = sum(10 ** model.log_prob(word, context) for word in vocab)
        assert total == pytest.approx(1.0, abs=1e-6), context


def test_arpa_round_trip_and_errors(corpus, tmp_path):
    model = NgramModel.kneser_ney(corpus, 3)
    path = tmp_path / "lm.arpa"
    model.write_arpa(path)
    again = NgramModel.read_arpa(str(path))
    for words in corpus[:20]:
        assert again.sentence_log_prob(words) == pytest.approx(model.sentence_log_prob(words), abs=1e-5)
    bad = tmp_path / "bad.arpa"
    bad.write_text(path.read_text().replace("ngram 2=", "ngram 2=1", 1))
    with pytest.raises(ArpaFormatError, match="bad.arpa: header declares"):
        NgramModel.read_arpa(str(bad))
    broken = tmp_path / "broken.arpa"
    lines = path.read_text().splitlines()
    lines[8] = "not-a-number word"
    broken.write_text("\n".join(lines))
    with pytest.raises(ArpaFormatError, match="broken.arpa:9"):
        NgramModel.read_arpa(str(broken))


def test_scores_agree_with_kenlm(corpus, tmp_path):
    kenlm = pytest.importorskip("kenlm")
    model = NgramModel.kneser_ney(corpus, 3)
    path = str(tmp_path / "lm.arpa")
    model.write_arpa(path)
    reference = kenlm.Model(path)
    for words in corpus[:40] + [["yes", "unseenword", "stop"]]:
        assert model.sentence_log_prob(words) == pytest.approx(reference.score(" ".join(words)), abs=1e-4)


def test_build_lm_script_normalises_like_training(tmp_path):
    manifest = tmp_path / "m.json"
    manifest.write_text("".join(json.dumps({"audio_filepath": "x.wav", "duration": 1, "text": t}) + "\n"
                                for t in ["Hello, World 42!", "hello again"]))
    out = tmp_path / "lm.arpa"
    subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "build_lm.py"), "--manifest", str(manifest),
                    "--order", "2", "--out", str(out)], check=True, capture_output=True)
    model = NgramModel.read_arpa(str(out))
    assert {"hello", "world", "forty", "two", "again"} <= model.vocab
    assert ("forty", "two") in model.probs[1]


def _peaky(text, frames_per_char=3, confusions=None):
    """Log-probs spelling ``text`` (blank between characters); ``confusions`` {pos: (char, p)} make the
    acoustic model unsure at a character."""
    rows = []
    for position, char in enumerate(text):
        row = np.full(len(LABELS) + 1, 1e-4)
        row[LABELS.index(char)] = 0.9
        if confusions and position in confusions:
            other, p = confusions[position]
            row[LABELS.index(char)], row[LABELS.index(other)] = 1 - p - 0.05, p
        rows.append(row)
        for _ in range(frames_per_char - 1):
            blank = np.full(len(LABELS) + 1, 1e-4)
            blank[-1] = 1.0
            rows.append(blank)
    probs = np.array(rows)
    return np.log(probs / probs.sum(axis=1, keepdims=True)).astype(np.float32)


def test_beam_search_module_uses_the_lm(corpus, tmp_path):
    path = str(tmp_path / "lm.arpa")
    NgramModel.kneser_ney(corpus, 3).write_arpa(path)
    # "yes" with the acoustic model preferring "z" for the last letter; "stop" clean.
    utts = [_peaky("yes", confusions={2: ("z", 0.55)}), _peaky("stop")]
    length = max(len(u) for u in utts)
    batch = torch.full((2, length, len(LABELS) + 1), float(np.log(1e-4)))
    for i, u in enumerate(utts):
        batch[i, : len(u)] = torch.from_numpy(u)
    lengths = torch.tensor([len(u) for u in utts])
    plain = nemo_asr.BeamSearchDecoderWithLM(vocab=LABELS, beam_width=16, alpha=0.0, beta=0.0, lm_path=None)
    with_lm = nemo_asr.BeamSearchDecoderWithLM(vocab=LABELS, beam_width=16, alpha=1.0, beta=1.0, lm_path=path)
    assert [utt[0][1] for utt in plain(log_probs=batch, log_probs_length=lengths)] == ["yez", "stop"]
    beams = with_lm(log_probs=batch, log_probs_length=lengths)
    assert [utt[0][1] for utt in beams] == ["yes", "stop"]
    scores = [score for score, _ in plain(log_probs=batch, log_probs_length=lengths)[0]]
    assert scores == sorted(scores, reverse=True) and len(scores) > 1


def test_kenlm_binary_needs_kenlm(tmp_path, monkeypatch):
    path = tmp_path / "lm.bin"
    path.write_bytes(b"mmap lm http://kheafield.com/code format version 5\n\0")
    monkeypatch.setitem(sys.modules, "kenlm", None)
    with pytest.raises(ImportError, match="optional 'kenlm' package"):
        load_scorer(str(path), 1.0, 1.0)
    with pytest.raises(FileNotFoundError, match="nowhere.arpa"):
        load_scorer(str(tmp_path / "nowhere.arpa"), 1.0, 1.0)
