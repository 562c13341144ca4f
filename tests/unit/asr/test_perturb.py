"""Audio perturbations on real AN4 speech: each does what it promises; augmentation is reproducible."""
import json
import os

import numpy as np
import pytest
import soundfile as sf
import torch

from nemo_asr.parts.audio import load_audio
from nemo_asr.parts.dataset import AudioDataset
from nemo_asr.parts.perturb import (
    AudioAugmentor, GainPerturbation, ImpulsePerturbation, NoisePerturbation, Perturbation, ShiftPerturbation,
    SpeedPerturbation, TimeStretchPerturbation, WhiteNoisePerturbation, perturbation_types, register_perturbation,
    rms_db,
)

AN4 = os.path.join(os.path.dirname(__file__), "..", "..", "data", "an4")
TRAIN = os.path.join(AN4, "train_manifest.json")
LABELS = list(" abcdefghijklmnopqrstuvwxyz'")
SR = 16000


@pytest.fixture(scope="module")
def speech():
    return load_audio(os.path.join(AN4, "wav", "an46-mmap-b.wav"), SR)


def _rng(seed=0):
    return np.random.default_rng(seed)


@pytest.mark.parametrize("rate", [0.9, 1.1])
def test_speed_changes_duration_by_the_rate(speech, rate):
    out = SpeedPerturbation(sr=SR, min_speed_rate=rate, max_speed_rate=rate, num_rates=0).perturb(speech, SR, _rng())
    assert abs(len(out) - len(speech) / rate) <= 2


def test_speed_rates_come_from_the_grid(speech):
    perturbation = SpeedPerturbation(min_speed_rate=0.9, max_speed_rate=1.1, num_rates=3)
    lengths = sorted({len(perturbation.perturb(speech, SR, _rng(seed))) for seed in range(12)})
    expected = [len(speech) / r for r in (1.1, 1.0, 0.9)]
    assert len(lengths) == 3 and all(abs(a - b) <= 2 for a, b in zip(lengths, expected))


def test_speed_checks_its_sample_rate(speech):
    with pytest.raises(ValueError, match="sr=8000"):
        SpeedPerturbation(sr=8000).perturb(speech, SR, _rng())


def test_time_stretch_changes_duration_by_the_rate(speech):
    out = TimeStretchPerturbation(min_speed_rate=1.25, max_speed_rate=1.25, num_rates=0).perturb(speech, SR, _rng())
    assert abs(len(out) - len(speech) / 1.25) < 0.01 * len(speech)


def test_gain_in_db(speech):
    perturbation = GainPerturbation(min_gain_dbfs=-6, max_gain_dbfs=-6)
    out = perturbation.perturb(speech, SR, _rng())
    assert rms_db(out) - rms_db(speech) == pytest.approx(-6.0, abs=1e-3)


def test_shift_keeps_length_and_moves_samples(speech):
    out = ShiftPerturbation(min_shift_ms=10, max_shift_ms=10).perturb(speech, SR, _rng())
    assert len(out) == len(speech)
    np.testing.assert_array_equal(out[160:], speech[:-160])
    assert not out[:160].any()
    back = ShiftPerturbation(min_shift_ms=-10, max_shift_ms=-10).perturb(speech, SR, _rng())
    np.testing.assert_array_equal(back[:-160], speech[160:])


def test_white_noise_level(speech):
    out = WhiteNoisePerturbation(min_level=-40, max_level=-40).perturb(speech, SR, _rng())
    assert rms_db(out - speech) == pytest.approx(-40.0, abs=0.2)


@pytest.mark.parametrize("snr", [0.0, 10.0, 20.0])
def test_noise_hits_the_snr(speech, tmp_path, snr):
    noise_manifest = tmp_path / "noise.json"
    noise_manifest.write_text(json.dumps({"audio_filepath": os.path.abspath(os.path.join(AN4, "wav", "an357-mscg2-b.wav")),
                                          "duration": 1.0, "text": ""}) + "\n")
    perturbation = NoisePerturbation(str(noise_manifest), min_snr_db=snr, max_snr_db=snr)
    out = perturbation.perturb(speech, SR, _rng())
    assert len(out) == len(speech)
    measured = rms_db(speech) - rms_db(out - speech)
    assert abs(measured - snr) < 0.5


def test_impulse_reverberates_and_keeps_length_and_level(speech, tmp_path):
    impulse = np.zeros(1600, np.float32)
    impulse[0], impulse[400], impulse[1200] = 1.0, 0.5, 0.25
    sf.write(tmp_path / "ir.wav", impulse, SR)
    (tmp_path / "ir.json").write_text(json.dumps({"audio_filepath": "ir.wav", "duration": 0.1, "text": ""}) + "\n")
    out = ImpulsePerturbation(str(tmp_path / "ir.json")).perturb(speech, SR, _rng())
    wet = speech + 0.5 * np.pad(speech, (400, 0))[: len(speech)] + 0.25 * np.pad(speech, (1200, 0))[: len(speech)]
    assert len(out) == len(speech)
    assert rms_db(out) == pytest.approx(rms_db(speech), abs=0.01)
    np.testing.assert_allclose(out / np.abs(out).max(), wet / np.abs(wet).max(), atol=1e-3)


def test_from_legacy_config_and_registry(speech):
    augmentor = AudioAugmentor.from_config({"speed": {"prob": 1.0, "sr": SR, "min_speed_rate": 0.8,
                                                      "max_speed_rate": 0.8, "num_rates": 0},
                                            "gain": {"prob": 0.0}})
    assert [type(p).__name__ for _, p in augmentor.perturbations] == ["SpeedPerturbation", "GainPerturbation"]
    assert abs(len(augmentor.perturb(speech, SR, _rng())) - len(speech) / 0.8) <= 2
    with pytest.raises(ValueError, match="unknown perturbation 'echo'"):
        AudioAugmentor.from_config({"echo": {"prob": 1.0}})
    with pytest.raises(ValueError, match="'gain'.*max_gain"):
        AudioAugmentor.from_config({"gain": {"prob": 1.0, "max_gain": 3}})

    class Invert(Perturbation):
        def perturb(self, samples, sample_rate, rng):
            return -samples

    register_perturbation("invert_test", Invert)
    try:
        out = AudioAugmentor.from_config([{"aug_type": "invert_test", "prob": 1.0}]).perturb(speech, SR, _rng())
        np.testing.assert_array_equal(out, -speech)
    finally:
        del perturbation_types["invert_test"]


def _augmented(dataset, keys):
    return [dataset[k][0] for k in keys]


def test_dataset_augmentation_is_per_sample_and_reproducible():
    config = {"white_noise": {"prob": 1.0, "min_level": -50, "max_level": -30}, "gain": {"prob": 0.5}}
    first = AudioDataset(TRAIN, LABELS, augmentor=config, augment_seed=7, max_utts=4)
    second = AudioDataset(TRAIN, LABELS, augmentor=AudioAugmentor.from_config(config), augment_seed=7, max_utts=4)
    forward = _augmented(first, [0, 1, 2, 3])
    backward = _augmented(second, [3, 2, 1, 0])[::-1]   # another order (another worker, a resume)
    for a, b in zip(forward, backward):
        torch.testing.assert_close(a, b)
    epoch1 = _augmented(first, [(1, 0), (1, 1)])
    assert not torch.equal(epoch1[0], forward[0])      # a new epoch draws new augmentation
    first.set_epoch(1)
    torch.testing.assert_close(_augmented(first, [0])[0], epoch1[0])


def test_dataloader_workers_give_the_same_augmentation():
    config = {"white_noise": {"prob": 1.0, "min_level": -50, "max_level": -30}}
    dataset = AudioDataset(TRAIN, LABELS, augmentor=config, augment_seed=3, max_utts=4)
    batches = {}
    for workers in (0, 2):
        loader = torch.utils.data.DataLoader(dataset, batch_size=2, num_workers=workers, collate_fn=dataset.collate_fn)
        batches[workers] = [batch[0] for batch in loader]
    for a, b in zip(batches[0], batches[2]):
        torch.testing.assert_close(a, b)
