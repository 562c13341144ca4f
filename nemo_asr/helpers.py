"""Callback helpers for ASR: decode predictions, compute WER, aggregate evaluations."""

import torch

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


def process_evaluation_batch(tensors, global_vars, labels):
    """Accumulate losses, hypotheses and references of one evaluation batch.

    Keys of ``tensors`` are unique tensor names starting with the port name.
    """
    batch = {}
    for key, values in tensors.items():
        for prefix, slot in _PORT_SLOTS:
            if key.startswith(prefix):
                batch[slot] = values
                break
    global_vars.setdefault("EvalLoss", [])
    global_vars.setdefault("predictions", [])
    global_vars.setdefault("transcripts", [])
    if "loss" in batch:
        global_vars["EvalLoss"].extend(float(v) for v in batch["loss"])
    if "predictions" in batch:
        global_vars["predictions"].extend(post_process_predictions(batch["predictions"], labels))
    if "transcripts" in batch and "transcript_length" in batch:
        global_vars["transcripts"].extend(
            post_process_transcripts(batch["transcripts"], batch["transcript_length"], labels)
        )


def process_evaluation_epoch(global_vars, eval_metric="WER", tag=None, logger=None):
    """Mean evaluation loss and the WER/CER over everything gathered; returns a dict."""
    suffix = f"_{tag}" if tag else ""
    losses = global_vars.get("EvalLoss", [])
    loss = float(torch.tensor(losses).mean()) if losses else float("nan")
    metric = _metric(global_vars.get("predictions", []), global_vars.get("transcripts", []), eval_metric)
    if logger:
        logger.info(f"==========>>>>>>Evaluation Loss{suffix}: {loss:.4f}")
        logger.info(f"==========>>>>>>Evaluation {eval_metric}{suffix}: {metric:.2%}")
    return {f"Evaluation_Loss{suffix}": loss, f"Evaluation_{eval_metric}{suffix}": metric}
