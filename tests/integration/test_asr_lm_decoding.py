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


@pytest.mark.slow
def test_lm_beam_search_beats_greedy_on_an4(tmp_path):
    _run(os.path.join(ROOT, "examples", "asr", "jasper_an4.py"), "--work_dir", str(tmp_path / "exp"),
         "--max_steps", "120", "--eval_freq", "100000", "--checkpoint_save_freq", "120", cwd=tmp_path)
    checkpoints = tmp_path / "exp" / "JasperAN4" / "checkpoints"
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
