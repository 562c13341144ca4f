"""The ASR tutorial's script runs as written on the bundled AN4 sample."""

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
AN4 = os.path.join(ROOT, "tests", "data", "an4")


@pytest.mark.slow
def test_tutorial_script_trains_evaluates_and_saves(tmp_path):
    with open(os.path.join(os.path.dirname(__file__), "tutorial_asr_script.py")) as handle:
        script = handle.read()
    filled = (
        script.replace("<path_to_where_you_put_data>/train_clean_100.json", os.path.join(AN4, "train_manifest.json"))
        .replace("<path_to_where_you_put_data>/dev_clean.json", os.path.join(AN4, "test_manifest.json"))
        .replace("<nemo_git_repo_root>", ROOT)
        .replace('"num_epochs": 50', '"num_epochs": 2')
    )
    assert filled.count("<") == 0, "every placeholder is filled"
    (tmp_path / "tutorial.py").write_text(filled)
    env = dict(os.environ, OMP_NUM_THREADS="2")
    result = subprocess.run([sys.executable, "tutorial.py"], cwd=tmp_path, env=env, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Evaluation WER_DEV-CLEAN" in result.stdout
    assert "training_batch_WER" in result.stdout
    saved = sorted(os.listdir(tmp_path))
    assert "JasperEncoder-STEP-2.pt" in saved and "JasperDecoderForCTC-STEP-2.pt" in saved
    assert "trainer-STEP-2.pt" in saved
    events = os.listdir(tmp_path / "jasper12x1SEP" / "tensorboard")
    assert any(name.startswith("events.out.tfevents") for name in events)
