"""Callback helpers for ASR: decode predictions, compute WER, aggregate evaluations."""

import torch

from .classification_helpers import (  # noqa: F401  (legacy: nemo_asr.helpers held these too)
    classification_accuracy,
    monitor_classification_training_progress,
    process_classification_evaluation_batch,
    process_classification_evaluation_epoch,
    write_classification_results,
)
from .parts.metrics import ctc_greedy_decode, ids_to_text, word_error_rate

__all__ = [
    "word_error_rate",
    "post_process_predictions",
    "post_process_transcripts",
    "monitor_asr_train_progress",
    "process_evaluation_batch",
    "process_evaluation_epoch",
]


def post_process_predictions(predictions, labels):
    """Greedy CTC strings from per-frame class ids (a list of (B, T) tensors)."""
    blank = len(labels)
    return [ids_to_text(ctc_greedy_decode(row, blank), labels) for batch in predictions for row in batch.cpu()]


def post_process_transcripts(transcript_list, transcript_len_list, labels):
    """Reference strings from padded label ids and their lengths (lists of batches)."""
    return [
        ids_to_text(row[: int(length)], labels)
        for batch, lengths in zip(transcript_list, transcript_len_list)
        for row, length in zip(batch.cpu(), lengths.cpu())
    ]


def _metric(hypotheses, references, eval_metric):
    if eval_metric not in ("WER", "CER"):
        raise ValueError(f"eval_metric must be 'WER' or 'CER', got {eval_metric!r}")
    return word_error_rate(hypotheses, references, use_cer=eval_metric == "CER")


def monitor_asr_train_progress(tensors, labels, eval_metric="WER", tb_logger=None, logger=None):
    """Log the loss, the batch's WER/CER and one reference/prediction pair.

    ``tensors`` is ``[loss, predictions, transcripts, transcript_length]``.
    """
    loss, predictions, transcripts, transcript_len = tensors[:4]
    references = post_process_transcripts([transcripts], [transcript_len], labels)
    hypotheses = post_process_predictions([predictions], labels)
    metric = _metric(hypotheses, references, eval_metric)
    lines = [f"Loss: {float(loss.detach()):.4f}", f"training_batch_{eval_metric}: {metric:.2%}",
             f"Prediction: {hypotheses[0]!r}", f"Reference:  {references[0]!r}"]
    for line in lines:
        (logger.info if logger else print)(line)
    if tb_logger is not None:
        tb_logger.add_scalar(f"training_batch_{eval_metric}", metric)
    return metric


# Port-name prefixes of evaluated tensors and where their values go ("transcript_length" first).
_PORT_SLOTS = (("loss", "loss"), ("predictions", "predictions"), ("transcript_length", "transcript_length"),
               ("transcript", "transcripts"))


def _batch_sizes(batch, count):
    """Samples in each of ``count`` gathered batches: the first dimension of a per-sample port (else 1)."""
    for slot in ("transcript_length", "transcripts", "predictions"):
        values = batch.get(slot)
        if values is not None and len(values) == count and all(v.dim() > 0 for v in values):
            return [int(v.shape[0]) for v in values]
    return [1] * count


def process_evaluation_batch(tensors, global_vars, labels):
    """Accumulate losses (with their batch sizes), hypotheses and references of one evaluation batch.

    Keys of ``tensors`` are unique tensor names starting with the port name. A batch's loss
    is weighted by its number of samples (from the transcript, transcript length or
    prediction port), so the epoch loss does not depend on how batches were split across ranks.
    """
    batch = {}
    for key, values in tensors.items():
        for prefix, slot in _PORT_SLOTS:
            if key.startswith(prefix):
                batch[slot] = values
                break
    for key in ("EvalLoss", "EvalLossSamples", "predictions", "transcripts"):
        global_vars.setdefault(key, [])
    if "loss" in batch:
        global_vars["EvalLoss"].extend(float(v) for v in batch["loss"])
        global_vars["EvalLossSamples"].extend(_batch_sizes(batch, len(batch["loss"])))
    if "predictions" in batch:
        global_vars["predictions"].extend(post_process_predictions(batch["predictions"], labels))
    if "transcripts" in batch and "transcript_length" in batch:
        global_vars["transcripts"].extend(
            post_process_transcripts(batch["transcripts"], batch["transcript_length"], labels)
        )


def process_evaluation_epoch(global_vars, eval_metric="WER", tag=None, logger=None):
    """Per-sample mean evaluation loss and the WER/CER over everything gathered; returns a dict."""
    suffix = f"_{tag}" if tag else ""
    losses = torch.tensor(global_vars.get("EvalLoss", []), dtype=torch.float64)
    samples = torch.tensor(global_vars.get("EvalLossSamples", [1] * len(losses)), dtype=torch.float64)
    loss = float((losses * samples).sum() / samples.sum()) if len(losses) else float("nan")
    metric = _metric(global_vars.get("predictions", []), global_vars.get("transcripts", []), eval_metric)
    if logger:
        logger.info(f"==========>>>>>>Evaluation Loss{suffix}: {loss:.4f}")
        logger.info(f"==========>>>>>>Evaluation {eval_metric}{suffix}: {metric:.2%}")
    return {f"Evaluation_Loss{suffix}": loss, f"Evaluation_{eval_metric}{suffix}": metric}
