"""Tar shards of AN4: conversion script, TarredAudioToTextDataLayer against the plain data layer,
rank split, shuffling, manifest columns."""
import json
import os
import subprocess
import sys

import pytest
import torch

import nemo_asr
from nemo_asr.parts.compact_manifest import CompactManifest
from nemo_asr.parts.manifest import ManifestError
from nemo_asr.parts.tarred_dataset import expand_shards

ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "..")
TRAIN = os.path.join(ROOT, "tests", "data", "an4", "train_manifest.json")
LABELS = list(" abcdefghijklmnopqrstuvwxyz'")


@pytest.fixture(scope="module")
def shards(tmp_path_factory):
    target = tmp_path_factory.mktemp("tarred")
    subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "convert_to_tarred_audio_dataset.py"),
                    "--manifest_path", TRAIN, "--target_dir", str(target), "--num_shards", "3"],
                   check=True, capture_output=True)
    return str(target / "audio_{0..2}.tar"), str(target / "tarred_audio_manifest.json")


def _samples(layer):
    return {tuple(t[:n].tolist()): a[:m] for a, m, tt, nn in layer.data_iterator
            for a, m, t, n in zip(a, m, tt, nn)}


def test_script_writes_shards_and_shard_ids(shards):
    pattern, manifest = shards
    assert len(expand_shards(pattern)) == 3 and all(os.path.isfile(p) for p in expand_shards(pattern))
    lines = [json.loads(line) for line in open(manifest)]
    assert len(lines) == 30 and {line["shard_id"] for line in lines} == {0, 1, 2}


def test_tarred_layer_yields_what_the_plain_layer_does(shards):
    pattern, manifest = shards
    tarred = nemo_asr.TarredAudioToTextDataLayer(pattern, manifest, LABELS, batch_size=4)
    plain = nemo_asr.AudioToTextDataLayer(TRAIN, LABELS, batch_size=4, shuffle=False)
    assert set(tarred.output_ports) == set(plain.output_ports) and len(tarred) == len(plain) == 30
    got = [(a[:m], t[:n]) for a, m, tt, nn in tarred.data_iterator for a, m, t, n in zip(a, m, tt, nn)]
    expected = [(a[:m], t[:n]) for a, m, tt, nn in torch.utils.data.DataLoader(
        plain.dataset, batch_size=4, collate_fn=plain.dataset.collate_fn) for a, m, t, n in zip(a, m, tt, nn)]
    assert len(got) == 30
    key = lambda pair: (pair[1].tolist(), pair[0][:50].tolist())  # noqa: E731
    for (audio, tokens), (ref_audio, ref_tokens) in zip(sorted(got, key=key), sorted(expected, key=key)):
        torch.testing.assert_close(audio, ref_audio)
        assert torch.equal(tokens, ref_tokens)


def test_shards_split_across_ranks_and_shuffle_reproducibly(shards, monkeypatch):
    pattern, manifest = shards
    counts = []
    for rank in (0, 1):
        monkeypatch.setenv("RANK", str(rank))
        monkeypatch.setenv("WORLD_SIZE", "2")
        layer = nemo_asr.TarredAudioToTextDataLayer(pattern, manifest, LABELS, batch_size=8)
        counts.append(sum(len(batch[1]) for batch in layer.data_iterator))
    assert counts == [20, 10]  # shards 0 and 2 on rank 0, shard 1 on rank 1
    monkeypatch.delenv("RANK")
    monkeypatch.delenv("WORLD_SIZE")
    orders = []
    for _ in range(2):
        layer = nemo_asr.TarredAudioToTextDataLayer(pattern, manifest, LABELS, batch_size=30, shuffle_n=16,
                                                    augment_seed=5)
        orders.append([batch[2].tolist() for batch in layer.data_iterator])
        orders.append([batch[2].tolist() for batch in layer.data_iterator])  # second epoch
    assert orders[0] == orders[2] and orders[1] == orders[3] and orders[0] != orders[1]


def test_compact_manifest_lookup_and_errors(tmp_path):
    manifest = CompactManifest([TRAIN])
    row = manifest.lookup("an46-mmap-b")
    assert manifest.text(row) == "stop" and manifest.duration[row] == pytest.approx(1.0)
    assert manifest.lookup("missing") == -1
    bad = tmp_path / "bad.json"
    bad.write_text('{"audio_filepath": "a.wav", "duration": 1, "text": "x"}\n{"audio_filepath": "b.wav"}\n')
    with pytest.raises(ManifestError, match="bad.json:2"):
        CompactManifest([str(bad)])
