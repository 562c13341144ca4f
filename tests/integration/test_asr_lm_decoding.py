"""The legacy tutorial's "Inference with Language Model" on the bundled AN4 sample: train the example
Jasper briefly, build a 3-gram LM from the training transcripts, and decode the test set greedily and
with LM beam search (jasper_infer.py --lm_path), then grid-search alpha/beta (jasper_eval.py)."""
import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
AN4 = os.path.join(ROOT, "tests", "data", "an4")
CONFIG = os.path.join(ROOT, "examples", "asr", "configs", "jasper_an4.yaml")


def _run(*args, cwd):
    done = subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def checkpoints(tmp_path_factory):
    """The example Jasper trained for 120 steps on the AN4 sample (about 2 minutes on 2 cores)."""
    work = tmp_path_factory.mktemp("an4_train")
    _run(os.path.join(ROOT, "examples", "asr", "jasper_an4.py"), "--work_dir", str(work / "exp"),
         "--max_steps", "120", "--eval_freq", "100000", "--checkpoint_save_freq", "120", cwd=work)
    return work / "exp" / "JasperAN4" / "checkpoints"


@pytest.mark.slow
def test_lm_beam_search_beats_greedy_on_an4(tmp_path, checkpoints):
    lm = tmp_path / "an4_3gram.arpa"
    _run(os.path.join(ROOT, "scripts", "build_lm.py"), "--manifest", os.path.join(AN4, "train_manifest.json"),
         "--order", "3", "--out", str(lm), "--labels_from", CONFIG, cwd=tmp_path)
    out = _run(os.path.join(ROOT, "examples", "asr", "jasper_infer.py"), "--model_config", CONFIG,
               "--load_dir", str(checkpoints), "--lm_path", str(lm), "--beam_width", "64", "--alpha", "1.0",
               "--beta", "1.0", cwd=tmp_path)
    greedy, beam = map(float, re.search(r"greedy WER ([\d.]+)%, beam WER ([\d.]+)%", out).groups())
    print(f"AN4 test: greedy WER {greedy}%, beam WER {beam}%")
    assert beam < greedy
    out = _run(os.path.join(ROOT, "examples", "asr", "jasper_eval.py"), "--model_config", CONFIG,
               "--load_dir", str(checkpoints), "--lm_path", str(lm), "--alpha_steps", "2", "--beta_steps", "2",
               cwd=tmp_path)
    best, greedy_again = map(float, re.search(r"WER ([\d.]+)% \(greedy WER ([\d.]+)%", out).groups())
    assert greedy_again == greedy and best <= beam


@pytest.mark.slow
def test_long_audio_transcription_with_word_times(tmp_path, checkpoints):
    """A 45 s recording of 30 AN4 utterances with pauses, transcribed by transcribe.py in 4 s windows: words
    come in time order without overlapping (none decoded twice), each inside an utterance."""
    import json

    import numpy as np
    import soundfile as sf

    from nemo_asr.parts.audio import load_audio

    lines = [json.loads(line) for line in open(os.path.join(AN4, "train_manifest.json"))]
    pieces, spans, t = [], [], 0.0
    for line in lines:
        audio = load_audio(os.path.join(AN4, line["audio_filepath"]), 16000, trim=True)
        pieces += [audio, np.zeros(8000, np.float32)]
        spans.append((t, t + len(audio) / 16000))
        t += (len(audio) + 8000) / 16000
    sf.write(tmp_path / "long.wav", np.concatenate(pieces), 16000)
    out = _run(os.path.join(ROOT, "examples", "asr", "transcribe.py"), "--model_config", CONFIG, "--load_dir",
               str(checkpoints), str(tmp_path / "long.wav"), "--window_s", "4", "--overlap_s", "1.5", "--json",
               cwd=tmp_path)
    result = json.loads([line for line in out.splitlines() if line.startswith("{")][0])
    words = result["words"]
    assert words and [w["start"] for w in words] == sorted(w["start"] for w in words)
    for word in words:  # each word lies inside one utterance (none straddles a pause or a window cut)
        middle = (word["start"] + word["end"]) / 2
        assert any(a - 0.1 <= middle <= b + 0.1 for a, b in spans), word
    # a word decoded twice from two overlapping windows would overlap itself in time
    assert all(a["end"] <= b["start"] for a, b in zip(words, words[1:]))
    assert len(words) <= 2 * sum(len(line["text"].split()) for line in lines)
    print(f"long audio: {len(words)} words for {sum(len(l['text'].split()) for l in lines)} reference words")
