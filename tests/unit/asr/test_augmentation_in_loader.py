"""Augmentation through the runner's loader: new draws each epoch, the same with 0 or 2 workers and
after a mid-epoch skip (the samplers key samples by (epoch, index))."""

import os

import torch

import nemo_asr
from nemo.backends.pytorch.distributed import DistributedContext
from nemo.backends.pytorch.loader import build_loader

AN4 = os.path.join(os.path.dirname(__file__), "..", "..", "data", "an4")
LABELS = list(" abcdefghijklmnopqrstuvwxyz'")
NOISE = {"white_noise": {"prob": 1.0, "min_level": -50, "max_level": -30}}


def _epoch_audio(num_workers, epoch, skip=0, shuffle=True):
    layer = nemo_asr.AudioToTextDataLayer(manifest_filepath=os.path.join(AN4, "train_manifest.json"), labels=LABELS,
                                          batch_size=4, shuffle=shuffle, num_workers=num_workers, augmentor=NOISE,
                                          max_utts=8)
    layer.dataset.augment_seed = 7
    loader, sampler = build_loader(layer, DistributedContext(), True, seed=3)
    sampler.set_epoch(epoch)
    sampler.skip_next(skip)
    return [audio for audio, *_ in loader]


def test_augmentation_differs_by_epoch_and_not_by_workers_or_resume():
    epoch0, epoch1 = _epoch_audio(0, 0), _epoch_audio(0, 1)
    with_workers = _epoch_audio(2, 1)
    resumed = _epoch_audio(0, 1, skip=4)  # the second half of epoch 1, as after a resume
    assert all(torch.equal(a, b) for a, b in zip(epoch1, with_workers))
    assert torch.equal(resumed[0], epoch1[1])
    clean = _epoch_audio(0, 0)
    assert all(torch.equal(a, b) for a, b in zip(epoch0, clean))  # the same epoch repeats exactly
    in_order = [_epoch_audio(0, epoch, shuffle=False)[0] for epoch in (0, 1)]
    assert in_order[0].shape == in_order[1].shape and not torch.equal(*in_order)  # same clips, new noise


def _label_epoch_audio(num_workers, epoch):
    commands = os.path.join(os.path.dirname(__file__), "..", "..", "data", "speech_commands")
    layer = nemo_asr.AudioToSpeechLabelDataLayer(manifest_filepath=os.path.join(commands, "train_manifest.json"),
                                                 labels=["cat", "dog"], batch_size=3, shuffle=False,
                                                 num_workers=num_workers, augmentor=NOISE)
    layer.dataset.augment_seed = 11
    loader, sampler = build_loader(layer, DistributedContext(), True, seed=3)
    sampler.set_epoch(epoch)
    return [audio for audio, *_ in loader]


def test_speech_label_layer_takes_a_config_and_augments_per_epoch():
    first, second, with_workers = _label_epoch_audio(0, 0), _label_epoch_audio(0, 1), _label_epoch_audio(2, 1)
    assert all(torch.equal(a, b) for a, b in zip(second, with_workers))
    assert first[0].shape == second[0].shape and not torch.equal(first[0], second[0])
