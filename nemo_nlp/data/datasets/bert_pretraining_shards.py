"""BERT pretraining examples from preprocessed HDF5 shards (the NVIDIA BERT layout legacy NeMo read).

Each shard holds equal-length rows ``input_ids``, ``input_mask``, ``segment_ids``
(N, max_seq_length), ``masked_lm_positions``, ``masked_lm_ids`` (N, max_pred_length;
positions padded with 0) and ``next_sentence_labels`` (N,).
"""

import glob
import os

import numpy as np

from .padded import PaddedDataset

__all__ = ["BertPretrainingShardDataset", "SHARD_KEYS"]

SHARD_KEYS = ("input_ids", "input_mask", "segment_ids", "masked_lm_positions", "masked_lm_ids",
              "next_sentence_labels")


def shard_files(dataset):
    """The ``.hdf5``/``.h5`` files of a folder, or the one file given."""
    if os.path.isdir(dataset):
        files = sorted(glob.glob(os.path.join(glob.escape(dataset), "*.hdf5")) +
                       glob.glob(os.path.join(glob.escape(dataset), "*.h5")))
        if not files:
            raise FileNotFoundError(f"{dataset}: no .hdf5/.h5 shards")
        return files
    if not os.path.isfile(dataset):
        raise FileNotFoundError(f"pretraining shard not found: {dataset}")
    return [dataset]


class BertPretrainingShardDataset(PaddedDataset):
    """The rows of every shard, as the raw-text pretraining samples are: ``input_ids`` (the masked
    input), ``input_type_ids``, ``input_mask``, ``output_ids`` (the original tokens at masked
    positions), ``output_mask`` (1 at masked positions) and ``labels`` (next sentence).

    Rows are trimmed to their ``input_mask`` length, so batches pad to the longest row.
    ``max_pred_length`` caps the masked positions read per row.
    """

    output_names = ("input_ids", "input_type_ids", "input_mask", "output_ids", "output_mask", "labels")

    def __init__(self, dataset, max_pred_length):
        super().__init__()
        try:
            import h5py
        except ImportError as error:
            raise ImportError("reading preprocessed pretraining shards needs h5py: pip install h5py") from error
        for path in shard_files(dataset):
            with h5py.File(path, "r") as shard:
                missing = [key for key in SHARD_KEYS if key not in shard]
                if missing:
                    raise ValueError(f"{path}: not a BERT pretraining shard, missing datasets {missing}")
                columns = {key: np.asarray(shard[key]) for key in SHARD_KEYS}
            self.samples.extend(self._rows(columns, max_pred_length))

    @staticmethod
    def _rows(columns, max_pred_length):
        for row in range(len(columns["next_sentence_labels"])):
            length = int(columns["input_mask"][row].sum())
            ids = columns["input_ids"][row, :length].tolist()
            positions = columns["masked_lm_positions"][row, :max_pred_length]
            targets = columns["masked_lm_ids"][row, :max_pred_length]
            output_ids, output_mask = list(ids), [0] * length
            for position, target in zip(positions.tolist(), targets.tolist()):
                if position == 0:  # padding: [CLS] at 0 is never masked
                    break
                output_ids[position], output_mask[position] = target, 1
            yield {"input_ids": ids, "input_type_ids": columns["segment_ids"][row, :length].tolist(),
                   "input_mask": [1] * length, "output_ids": output_ids, "output_mask": output_mask,
                   "labels": int(columns["next_sentence_labels"][row])}
