"""BertPretrainingPreprocessedDataLayer reads NVIDIA-layout HDF5 shards into the raw-text layer's ports."""

import h5py
import numpy as np
import pytest
import torch

import nemo_nlp


def _write_shard(path, rows, seq_len=10, max_pred=4):
    """rows: (ids, segments, {position: original id}, next_sentence_label)."""
    columns = {key: np.zeros((len(rows), seq_len), dtype=np.int32) for key in ("input_ids", "input_mask", "segment_ids")}
    columns["masked_lm_positions"] = np.zeros((len(rows), max_pred), dtype=np.int32)
    columns["masked_lm_ids"] = np.zeros((len(rows), max_pred), dtype=np.int32)
    columns["next_sentence_labels"] = np.zeros(len(rows), dtype=np.int32)
    for r, (ids, segments, masked, label) in enumerate(rows):
        columns["input_ids"][r, : len(ids)] = ids
        columns["input_mask"][r, : len(ids)] = 1
        columns["segment_ids"][r, : len(ids)] = segments
        for k, (position, original) in enumerate(sorted(masked.items())):
            columns["masked_lm_positions"][r, k], columns["masked_lm_ids"][r, k] = position, original
        columns["next_sentence_labels"][r] = label
    with h5py.File(path, "w") as shard:
        for key, value in columns.items():
            shard.create_dataset(key, data=value)


def test_shards_become_padded_pretraining_batches(tmp_path):
    mask = 103
    rows = [([101, 7, mask, 9, 102, 11, 102], [0, 0, 0, 0, 0, 1, 1], {2: 8}, 0),
            ([101, mask, 5, 102, mask, 102], [0, 0, 0, 0, 1, 1], {1: 4, 4: 6}, 1)]
    _write_shard(tmp_path / "part_0.hdf5", rows[:1])
    _write_shard(tmp_path / "part_1.hdf5", rows[1:])
    layer = nemo_nlp.BertPretrainingPreprocessedDataLayer(str(tmp_path), max_pred_length=4, batch_size=2,
                                                          training=False)
    assert len(layer.dataset) == 2 and not layer.shuffle
    batch = layer.dataset.collate_fn([layer.dataset[0], layer.dataset[1]])
    ids, types, input_mask, output_ids, output_mask, labels = batch
    assert ids.shape == (2, 7)  # padded to the longer row, not to the shards' 10
    assert ids[0].tolist() == rows[0][0] and types[1].tolist()[:6] == rows[1][1]
    assert input_mask.sum(1).tolist() == [7, 6]
    assert output_ids[0, 2] == 8 and output_ids[1, 1] == 4 and output_ids[1, 4] == 6
    assert output_mask[0].tolist() == [0, 0, 1, 0, 0, 0, 0] and output_mask[1].tolist()[:6] == [0, 1, 0, 0, 1, 0]
    assert torch.equal(labels, torch.tensor([0, 1]))
    assert list(layer.output_ports) == ["input_ids", "input_type_ids", "input_mask", "output_ids", "output_mask",
                                        "labels"]


def test_a_file_without_the_shard_datasets_is_named(tmp_path):
    with h5py.File(tmp_path / "bad.hdf5", "w") as shard:
        shard.create_dataset("input_ids", data=np.zeros((1, 4), dtype=np.int32))
    with pytest.raises(ValueError, match=r"bad.hdf5: not a BERT pretraining shard, missing datasets \['input_mask'"):
        nemo_nlp.BertPretrainingPreprocessedDataLayer(str(tmp_path / "bad.hdf5"), max_pred_length=4)
