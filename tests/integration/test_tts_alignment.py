"""Tacotron 2 tiny learns to align on the bundled tts_slt sample and stops by itself on unseen sentences."""

import os
import sys

import pytest

import nemo

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "examples", "tts"))
from tts_common import TTS_SLT, Tacotron2Model, alignment_report, load_config, text_data_layer  # noqa: E402

STEPS = 300


@pytest.mark.slow
def test_tiny_tacotron2_aligns_and_stops_near_the_reference_length(tmp_path):
    config = load_config(os.path.join(ROOT, "examples", "tts", "configs", "tacotron2_tiny.yaml"))
    nf = nemo.core.NeuralModuleFactory(log_dir=str(tmp_path), random_seed=0)
    model = Tacotron2Model(config)
    assert 1.5e6 < model.num_weights < 2.5e6
    train = model.dag(text_data_layer(config, os.path.join(TTS_SLT, "train_manifest.json"), 16, "train"))
    losses = []

    class Record(nemo.core.ActionCallback):
        tensors = train["losses"][:1]

        def wants_values(self, step):
            return step == 1 or step == STEPS

        def on_iteration_end(self):
            if self.wants_values(self.step):
                losses.append(float(self.registered_tensors[self.tensors[0].unique_name]))

    nf.train(tensors_to_optimize=train["losses"], callbacks=[Record()], optimizer="adam",
             optimization_params={"max_steps": STEPS, "lr": 3e-3, "weight_decay": 1e-6, "grad_norm_clip": 1.0})
    assert losses[-1] < 0.2 * losses[0]

    # The 10 validation sentences were never trained on.
    report = alignment_report(nf, model, config, os.path.join(TTS_SLT, "val_manifest.json"), batch_size=10)
    ratios = report["stop_ratios"]
    print(f"diagonal share {report['diagonal_share']:.3f}; stop ratios {[round(r, 2) for r in ratios]}")
    assert report["diagonal_share"] >= 0.8
    assert all(ratio < 1.5 for ratio in ratios)  # every sentence stopped by itself
    assert sum(0.7 <= ratio <= 1.1 for ratio in ratios) >= 0.8 * len(ratios)
    assert 0.7 <= sum(ratios) / len(ratios) <= 1.1
