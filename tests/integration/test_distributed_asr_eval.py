"""The shipped ASR evaluation helpers report the same loss from 1 and 2 processes (gloo) when the
10 AN4 test utterances split unevenly into batches: 1 process [3, 3, 3, 1], 2 ranks [3, 2] each."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import torch

SCRIPT = str(Path(__file__).parent / "scripts" / "train_asr_toy.py")
EVAL = ["--random_seed", "5", "--eval_batch_size", "3"]


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run(args, out, world_size):
    env = {k: v for k, v in os.environ.items() if k not in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_PORT")}
    proc = subprocess.run([sys.executable, *args, *EVAL, "--out", str(out)], env=dict(env, OMP_NUM_THREADS="1"),
                          capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, f"{args} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}"
    return [torch.load(os.path.join(out, f"rank{r}.pt"), weights_only=False) for r in range(world_size)]


@pytest.mark.slow
def test_evaluation_loss_does_not_depend_on_sharding(tmp_path):
    (single,) = _run([SCRIPT], tmp_path / "one", 1)
    rank0, rank1 = _run(["-m", "torch.distributed.run", "--nproc_per_node=2", f"--master_port={_free_port()}",
                         SCRIPT], tmp_path / "two", 2)
    assert torch.equal(single["weights"], rank0["weights"]) and rank0["world_size"] == 2
    assert single["evaluation"]["batches"] == 4 and rank0["evaluation"]["batches"] == 4
    for result in (rank0, rank1):
        assert result["evaluation"]["Evaluation_Loss"] == pytest.approx(single["evaluation"]["Evaluation_Loss"],
                                                                        rel=1e-6)
        assert result["evaluation"]["Evaluation_WER"] == single["evaluation"]["Evaluation_WER"]
