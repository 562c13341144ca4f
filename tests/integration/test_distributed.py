"""Two CPU processes (gloo) against one: same weights, each eval sample once, rank 0 writes,
legacy launcher flags, and a failing rank ends the job."""

import importlib.util
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import torch

SCRIPT = str(Path(__file__).parent / "scripts" / "train_toy.py")
# 64 samples, shuffle off: with 2 ranks at batch 4, step k averages the gradients of
# samples 8(k-1)..8k-1 (rank-interleaved), exactly the batch of a 1-process run at batch 8.
TRAIN = ["--num_samples", "64", "--max_steps", "5", "--optimizer", "sgd", "--lr", "0.1", "--random_seed", "3"]


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_PORT")}
    return dict(env, OMP_NUM_THREADS="1", **extra)


def _run(args, timeout=180):
    proc = subprocess.run([sys.executable, *args], env=_env(), capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"{args} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}"
    return proc


def _results(folder, world_size):
    return [torch.load(os.path.join(folder, f"rank{r}.pt"), weights_only=False) for r in range(world_size)]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """A 2-process torchrun job (eval, checkpoints, TensorBoard) and a 1-process run, same global batch."""
    root = tmp_path_factory.mktemp("dist")
    work = root / "work"
    _run(["-m", "torch.distributed.run", "--nproc_per_node=2", f"--master_port={_free_port()}", SCRIPT, *TRAIN,
          "--batch_size", "4", "--out", str(root / "two"), "--eval_samples", "7", "--eval_freq", "2",
          "--work_dir", str(work), "--checkpoint_dir", str(work / "ck"), "--checkpoint_save_freq", "2",
          "--create_tb_writer"])
    _run([SCRIPT, *TRAIN, "--batch_size", "8", "--out", str(root / "one")])
    return _results(root / "two", 2), _results(root / "one", 1)[0], work


def test_ranks_agree_and_match_one_process_at_same_global_batch(runs):
    (rank0, rank1), single, _ = runs
    assert rank0["world_size"] == rank1["world_size"] == 2 and rank0["step"] == single["step"] == 5
    assert torch.equal(rank0["weights"], rank1["weights"])
    torch.testing.assert_close(rank0["weights"], single["weights"], rtol=1e-5, atol=1e-6)


def test_accumulated_steps_across_ranks_match_one_process(tmp_path):
    """2 ranks x 2 micro-batches of 2 (no all-reduce until the last) == 1 process at batch 8."""
    _run(["-m", "torch.distributed.run", "--nproc_per_node=2", f"--master_port={_free_port()}", SCRIPT, *TRAIN,
          "--batch_size", "2", "--iter_per_step", "2", "--out", str(tmp_path / "two")])
    _run([SCRIPT, *TRAIN, "--batch_size", "8", "--out", str(tmp_path / "one")])
    (rank0, rank1), single = _results(tmp_path / "two", 2), _results(tmp_path / "one", 1)[0]
    assert rank0["step"] == single["step"] == 5
    assert torch.equal(rank0["weights"], rank1["weights"])
    torch.testing.assert_close(rank0["weights"], single["weights"], rtol=1e-5, atol=1e-6)


def test_evaluator_counts_each_sample_once_across_ranks(runs):
    (rank0, rank1), _, _ = runs
    assert len(rank0["dataset_x"]) == 7
    assert rank0["eval_x"] == rank1["eval_x"] == rank0["dataset_x"]


def test_only_rank_zero_writes(runs):
    (rank0, rank1), _, work = runs
    assert rank1["writes"] == [] and not rank1["tb_writer"]
    assert rank0["writes"] == [f"{kind}-STEP-{s}.pt" for s in (2, 4, 5) for kind in ("MLP", "trainer")]
    assert sorted(os.listdir(work / "ck")) == sorted(rank0["writes"])
    assert len(os.listdir(work / "tensorboard")) == 1
    assert [p.name for p in work.glob("log_*")] == ["log_globalrank-0.txt"]


@pytest.mark.skipif(importlib.util.find_spec("torch.distributed.launch") is None,
                    reason="this torch no longer ships torch.distributed.launch")
def test_legacy_launcher_local_rank_flag(tmp_path):
    _run(["-m", "torch.distributed.launch", "--nproc_per_node=2", f"--master_port={_free_port()}", SCRIPT, *TRAIN,
          "--batch_size", "4", "--out", str(tmp_path)])
    results = _results(tmp_path, 2)
    for rank, result in enumerate(results):
        assert any(arg.startswith(("--local-rank", "--local_rank")) for arg in result["argv"])
        assert result["local_rank"] == rank and result["world_size"] == 2
    assert torch.equal(results[0]["weights"], results[1]["weights"])


@pytest.mark.parametrize("extra", [
    [],
    ["--grad_norm_clip", "0.5"],
    pytest.param(["--amp_opt_level", "O1", "--amp_dtype", "float16"], marks=pytest.mark.skipif(
        not torch.amp.GradScaler("cpu").is_enabled(), reason="no fp16 GradScaler on CPU")),
], ids=["plain", "clip", "fp16-scaler"])
def test_nan_batch_on_one_rank_skips_the_step_on_every_rank(tmp_path, extra):
    """Sample 3 is in rank 1's first batch (ranks take every other sample): step 1 is skipped
    on both ranks, and both end with the same finite weights."""
    _run(["-m", "torch.distributed.run", "--nproc_per_node=2", f"--master_port={_free_port()}", SCRIPT, *TRAIN,
          "--batch_size", "4", "--poison_index", "3", "--out", str(tmp_path), *extra])
    rank0, rank1 = _results(tmp_path, 2)
    assert torch.isfinite(rank0["weights"]).all()
    assert torch.equal(rank0["weights"], rank1["weights"])
    assert rank0["skipped_steps"] == rank1["skipped_steps"] == 1


def test_failing_rank_ends_every_rank_with_an_error(tmp_path):
    port = str(_free_port())
    procs = [
        subprocess.Popen(
            [sys.executable, SCRIPT, *TRAIN, "--max_steps", "100000", "--batch_size", "4", "--out", str(tmp_path),
             "--fail_rank", "1", "--fail_step", "2"],
            env=_env(RANK=str(rank), LOCAL_RANK=str(rank), WORLD_SIZE="2", MASTER_ADDR="127.0.0.1",
                     MASTER_PORT=port, NEMO_DIST_TIMEOUT_S="60"),
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        for rank in (0, 1)
    ]
    try:
        errors = [proc.communicate(timeout=120)[1] for proc in procs]
    finally:
        for proc in procs:
            proc.kill()
    assert [proc.returncode for proc in procs] == [1, 1], errors
    assert "deliberate failure on rank 1 at step 2" in errors[1]
    assert "RuntimeError" in errors[0]
