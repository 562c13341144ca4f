"""process_evaluation_batch/epoch weight each batch's mean loss by its number of samples."""
import pytest
import torch

from nemo_asr.helpers import process_evaluation_batch, process_evaluation_epoch

LABELS = list(" abcdefghijklmnopqrstuvwxyz'")


def _batch(losses, sizes):
    return {
        "loss~~~CTCLossNM0": [torch.tensor(v) for v in losses],
        "transcripts~~~AudioToTextDataLayer0": [torch.ones(n, 2, dtype=torch.int64) for n in sizes],
        "transcript_length~~~AudioToTextDataLayer0": [torch.full((n,), 2) for n in sizes],
        "predictions~~~GreedyCTCDecoder0": [torch.ones(n, 4, dtype=torch.int64) for n in sizes],
    }


def test_loss_is_the_per_sample_mean_however_batches_are_split():
    per_sample = [1.0, 2.0, 3.0, 4.0, 10.0]
    split_a, split_b = {}, {}
    process_evaluation_batch(_batch([2.0, 7.0], [3, 2]), split_a, LABELS)  # batches [1,2,3] and [4,10]
    for loss in per_sample:
        process_evaluation_batch(_batch([loss], [1]), split_b, LABELS)
    expected = sum(per_sample) / len(per_sample)
    assert process_evaluation_epoch(split_a)["Evaluation_Loss"] == pytest.approx(expected)
    assert process_evaluation_epoch(split_b)["Evaluation_Loss"] == pytest.approx(expected)


def test_batches_without_per_sample_ports_count_once():
    global_vars = {}
    process_evaluation_batch({"loss~~~MSELoss0": [torch.tensor(1.0), torch.tensor(3.0)]}, global_vars, LABELS)
    assert process_evaluation_epoch(global_vars)["Evaluation_Loss"] == pytest.approx(2.0)
