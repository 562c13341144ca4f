"""An ASR model with dither, SpecAugment, SpecCutout and dropout is reproducible from its
random_seed and resumes bit-exactly from a mid-epoch checkpoint (real AN4 speech)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

SCRIPT = str(Path(__file__).parent / "scripts" / "train_asr_toy.py")
TOTAL = 8
# 30 utterances at batch 6: 5 shuffled batches an epoch; the checkpoint at step 4 is mid-epoch.
TRAIN = ["--batch_size", "6", "--optimizer", "adam", "--lr", "0.01", "--random_seed", "5"]


def _train(out, max_steps, *extra):
    env = {k: v for k, v in os.environ.items() if k not in ("RANK", "WORLD_SIZE", "LOCAL_RANK")}
    proc = subprocess.run([sys.executable, SCRIPT, *TRAIN, "--out", str(out), "--max_steps", str(max_steps), *extra],
                          env=dict(env, OMP_NUM_THREADS="1"), capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, f"{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}"
    return proc.stdout + proc.stderr, torch.load(os.path.join(out, "rank0.pt"), weights_only=False)


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    return _train(tmp_path_factory.mktemp("asr_full"), TOTAL)[1]["weights"]


@pytest.mark.slow
def test_same_seed_gives_identical_weights(tmp_path, uninterrupted):
    _, again = _train(tmp_path / "again", TOTAL)
    assert torch.equal(again["weights"], uninterrupted)
    _, other_dither = _train(tmp_path / "dither", TOTAL, "--dither", "0.02")
    assert not torch.equal(other_dither["weights"], uninterrupted)  # the random parts do shape the result


@pytest.mark.slow
def test_resumed_asr_run_equals_uninterrupted(tmp_path, uninterrupted):
    folder = str(tmp_path / "ck")
    checkpointing = ["--checkpoint_dir", folder, "--checkpoint_save_freq", "3"]
    _, first = _train(tmp_path / "first", 4, *checkpointing)
    assert first["step"] == 4 and not torch.equal(first["weights"], uninterrupted)
    log, resumed = _train(tmp_path / "second", TOTAL, *checkpointing, "--load_dir", folder)
    assert "Restored checkpoint step 4 (epoch 0)" in log
    assert resumed["step"] == TOTAL and torch.equal(resumed["weights"], uninterrupted)
