"""SpecAugment / SpecCutout: seeded by torch's generators, vectorised, no host reads, same mask rules."""
import random

import pytest
import torch

from nemo_asr import SpectrogramAugmentation
from nemo_asr.parts.spec_augment import SpecAugment, SpecCutout

SYNCS = ("item", "tolist", "__bool__", "__int__", "__float__", "__index__")


def _masked(module, x, **kwargs):
    return module.train()(x, **kwargs).eq(0)


def test_masks_follow_the_seeded_global_generator():
    x, length = torch.ones(4, 32, 60), torch.tensor([60, 41, 17, 3])
    aug = SpecAugment(freq_masks=2, time_masks=2, freq_width=6, time_width=0.3)
    torch.manual_seed(11)
    first = _masked(aug, x, length=length)
    state_after = torch.get_rng_state()
    torch.manual_seed(11)
    assert torch.equal(first, _masked(aug, x, length=length))
    assert torch.equal(torch.get_rng_state(), state_after)
    assert not torch.equal(first, _masked(aug, x, length=length))  # the generator moved on
    torch.manual_seed(11)
    cut = SpecCutout(rect_masks=3, rect_time=5, rect_freq=7)
    first_cut = _masked(cut, x)
    torch.manual_seed(11)
    assert torch.equal(first_cut, _masked(cut, x)) and first_cut.any()


def test_explicit_and_legacy_generators_leave_the_global_one_alone():
    x = torch.ones(2, 16, 40)
    seeded = [SpecAugment(1, 2, 4, 8, rng=torch.Generator().manual_seed(5)) for _ in range(2)]
    legacy = [SpectrogramAugmentation(freq_masks=1, time_masks=2, rect_masks=2, rng=random.Random(5)) for _ in range(2)]
    state = torch.get_rng_state()
    assert torch.equal(_masked(seeded[0], x), _masked(seeded[1], x))
    masks = [aug.train()(input_spec=x).eq(0) for aug in legacy]
    assert torch.equal(masks[0], masks[1]) and masks[0].any()
    assert torch.equal(torch.get_rng_state(), state)
    with pytest.raises(TypeError, match="rng must be"):
        SpecCutout(rng=7)


def test_widths_cover_their_whole_range_within_valid_frames():
    torch.manual_seed(0)
    aug = SpecAugment(freq_masks=1, time_masks=1, freq_width=3, time_width=0.2)
    length = torch.randint(1, 51, (2000,))
    masked = _masked(aug, torch.ones(2000, 12, 50), length=length)
    assert set(masked.all(dim=2).sum(dim=1).tolist()) == {0, 1, 2, 3}  # band widths 0..3
    frames = masked.all(dim=1)  # [B, T] frames zeroed across all features
    for row, valid in zip(frames, length.tolist()):  # one span inside the valid frames, <= floor(0.2 * length)
        positions = row.nonzero().flatten().tolist()
        assert len(positions) <= int(0.2 * valid)
        assert positions == list(range(positions[0], positions[0] + len(positions))) if positions else True
        assert all(p < valid for p in positions)
    full = _masked(aug, torch.ones(3000, 12, 50), length=torch.full((3000,), 50)).all(dim=1)
    assert set(full.sum(dim=1).tolist()) == set(range(11))  # widths 0..10 all drawn
    starts = full[full.sum(dim=1) == 10].float().argmax(dim=1)
    assert int(starts.min()) == 0 and int(starts.max()) == 40  # the widest span reaches both ends


def test_cutout_rectangles_stay_within_their_sizes():
    torch.manual_seed(1)
    masked = _masked(SpecCutout(rect_masks=1, rect_time=4, rect_freq=6), torch.ones(3000, 20, 30))
    rows, cols = masked.any(dim=2).sum(dim=1), masked.any(dim=1).sum(dim=1)
    assert set(rows.tolist()) == set(range(7)) and set(cols.tolist()) == set(range(5))
    assert torch.equal(masked.sum(dim=(1, 2)), torch.where((rows > 0) & (cols > 0), rows * cols, 0))


def test_forward_reads_nothing_back_from_the_tensors(monkeypatch):
    calls = []
    for name in SYNCS:
        real = getattr(torch.Tensor, name)

        def counting(self, *args, _real=real, _name=name, **kwargs):
            calls.append(_name)
            return _real(self, *args, **kwargs)

        monkeypatch.setattr(torch.Tensor, name, counting)
    x, length = torch.ones(5, 20, 30), torch.tensor([30, 20, 10, 5, 1])
    SpecAugment(2, 2, 5, 0.25).train()(x, length=length)
    SpecAugment(2, 2, 5, 6, rng=torch.Generator().manual_seed(0)).train()(x, length=length)
    SpecCutout(3, 4, 5).train()(x)
    monkeypatch.undo()
    assert calls == []
