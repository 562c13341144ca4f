"""Interrupted-and-resumed training equals uninterrupted training, bit for bit, and a
process killed while saving leaves the previous checkpoint set loadable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

SCRIPT = str(Path(__file__).parent / "scripts" / "train_toy.py")
TOTAL = 13
# 40 samples at batch 8: 5 batches an epoch, shuffled; dropout, Adam and a cosine lr policy,
# so data order, RNG, optimizer state and step all have to be restored.
TRAIN = ["--num_samples", "40", "--batch_size", "8", "--shuffle", "--dropout", "0.3", "--optimizer", "adam",
         "--lr", "0.01", "--random_seed", "5", "--total_steps", str(TOTAL)]


def _train(out, max_steps, *extra, expect_rc=0):
    env = {k: v for k, v in os.environ.items() if k not in ("RANK", "WORLD_SIZE", "LOCAL_RANK")}
    proc = subprocess.run([sys.executable, SCRIPT, *TRAIN, "--out", str(out), "--max_steps", str(max_steps), *extra],
                          env=dict(env, OMP_NUM_THREADS="1"), capture_output=True, text=True, timeout=180)
    assert proc.returncode == expect_rc, f"{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}"
    return proc.stdout, (torch.load(os.path.join(out, "rank0.pt"), weights_only=False) if expect_rc == 0 else None)


def _checkpointing(folder, resume=False):
    """Save every 3 steps into ``folder`` (and resume from it)."""
    args = ["--checkpoint_dir", str(folder), "--checkpoint_save_freq", "3"]
    return args + (["--load_dir", str(folder)] if resume else [])


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    return _train(tmp_path_factory.mktemp("full"), TOTAL)[1]["weights"]


@pytest.mark.parametrize("stop_at", [5, 7], ids=["epoch_end", "mid_epoch"])
def test_resumed_run_equals_uninterrupted(tmp_path, uninterrupted, stop_at):
    folder = tmp_path / "ck"
    _, first = _train(tmp_path / "first", stop_at, *_checkpointing(folder))
    assert first["step"] == stop_at and not torch.equal(first["weights"], uninterrupted)
    log, resumed = _train(tmp_path / "second", TOTAL, *_checkpointing(folder, resume=True))
    assert f"Restored checkpoint step {stop_at} (epoch {stop_at // 5})" in log
    assert resumed["writes"][0] == f"MLP-STEP-{(stop_at // 3 + 1) * 3}.pt"
    assert torch.equal(resumed["weights"], uninterrupted)


@pytest.mark.parametrize("crash_call, left", [(1, []), (2, ["MLP-STEP-9.pt"])], ids=["module_file", "trainer_file"])
def test_kill_during_save_keeps_previous_set(tmp_path, uninterrupted, crash_call, left):
    folder = tmp_path / "ck"
    _train(tmp_path / "killed", TOTAL, *_checkpointing(folder), "--crash_step", "9", "--crash_call", str(crash_call),
           expect_rc=9)
    files = sorted(p.name for p in folder.glob("*-STEP-*.pt"))
    assert files == sorted(["MLP-STEP-3.pt", "MLP-STEP-6.pt", "trainer-STEP-3.pt", "trainer-STEP-6.pt"] + left)
    for name in files:
        torch.load(folder / name, weights_only=True)
    log, resumed = _train(tmp_path / "resumed", TOTAL, *_checkpointing(folder, resume=True))
    assert "Restored checkpoint step 6 (epoch 1)" in log
    assert torch.equal(resumed["weights"], uninterrupted)
