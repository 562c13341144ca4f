"""The start-here example trains TaylorNet on sin(x) and leaves logs and checkpoints."""

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_simplest_example_runs_and_fits(tmp_path):
    script = os.path.join(ROOT, "examples", "start_here", "simplest_example.py")
    result = subprocess.run([sys.executable, script], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    eval_losses = [float(line.split(":")[1]) for line in result.stdout.splitlines() if line.startswith("Eval loss")]
    assert len(eval_losses) >= 3 and eval_losses[-1] < 0.25 * eval_losses[0]
    logs = tmp_path / "simplest_example_logs"
    assert (logs / "log_globalrank-0.txt").exists()
    assert any(name.startswith("events.out") for name in os.listdir(logs / "tensorboard"))
    assert "TaylorNet-STEP-790.pt" in os.listdir(logs / "checkpoints")
    again = subprocess.run([sys.executable, script, "--num_epochs", "11"], cwd=tmp_path, capture_output=True,
                           text=True, timeout=300)
    assert again.returncode == 0 and "Restored checkpoint step 790" in again.stdout  # resumes, as legacy did
    assert "TaylorNet-STEP-869.pt" in os.listdir(logs / "checkpoints")


def test_simplest_example_help_shows_defaults():
    script = os.path.join(ROOT, "examples", "start_here", "simplest_example.py")
    result = subprocess.run([sys.executable, script, "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "(default: 10)" in result.stdout
