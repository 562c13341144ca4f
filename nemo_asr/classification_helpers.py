"""Callback helpers for speech classification: top-k accuracy and the confusion matrix."""

import torch

from .parts.classification_metrics import confusion_matrix, confusion_matrix_image, top_k_correct

__all__ = [
    "classification_accuracy",
    "monitor_classification_training_progress",
    "process_classification_evaluation_batch",
    "process_classification_evaluation_epoch",
    "write_classification_results",
]


def _ks(eval_metric):
    if eval_metric is None:
        return (1,)
    ks = (eval_metric,) if isinstance(eval_metric, int) else tuple(eval_metric)
    if not ks or any(not isinstance(k, int) or k < 1 for k in ks):
        raise ValueError(f"eval_metric / top_k must be a positive int or a list of them, got {eval_metric!r}")
    return ks


def classification_accuracy(logits, labels, top_k=(1,)):
    """Top-k accuracies (floats in [0, 1]) of one batch, one per ``k``."""
    ks = _ks(top_k)
    return [float(c) / max(len(labels), 1) for c in top_k_correct(logits, labels, ks).cpu()]


def monitor_classification_training_progress(tensors, eval_metric=None, tb_logger=None, logger=None):
    """Log the loss and the batch's top-k accuracies; ``tensors`` is ``[loss, logits, labels]``."""
    loss, logits, labels = tensors[:3]
    ks = _ks(eval_metric)
    accuracies = classification_accuracy(logits, labels, ks)
    lines = [f"Loss: {float(loss.detach()):.4f}"]
    lines += [f"training_batch_top@{k}: {acc:.2%}" for k, acc in zip(ks, accuracies)]
    for line in lines:
        (logger.info if logger else print)(line)
    if tb_logger is not None:
        for k, acc in zip(ks, accuracies):
            tb_logger.add_scalar(f"training_batch_top@{k}", acc)
    return accuracies


def _slot(name):
    for prefix in ("loss", "logits", "label_length", "label"):
        if name.startswith(prefix):
            return prefix
    return None


def process_classification_evaluation_batch(tensors, global_vars, top_k=1):
    """Accumulate loss, top-k hit counts and (prediction, label) pairs of one evaluation batch.

    Keys of ``tensors`` are tensor names starting with their port name (``loss``, ``logits``, ``label``).
    """
    ks = _ks(top_k)
    batch = {}
    for name, values in tensors.items():
        slot = _slot(name)
        if slot:
            batch[slot] = values
    global_vars.setdefault("EvalLoss", [])
    global_vars.setdefault("EvalSamples", [])
    global_vars.setdefault("TopKHits", torch.zeros(len(ks), dtype=torch.int64))
    global_vars.setdefault("Predictions", [])
    global_vars.setdefault("Labels", [])
    global_vars["TopK"] = ks
    if "logits" in batch and "label" in batch:
        for logits, labels in zip(batch["logits"], batch["label"]):
            logits, labels = logits.detach().cpu(), labels.cpu()
            global_vars["TopKHits"] += top_k_correct(logits, labels, ks)
            global_vars["Predictions"].append(logits.argmax(dim=1))
            global_vars["Labels"].append(labels)
            global_vars["EvalSamples"].append(len(labels))
    if "loss" in batch:
        global_vars["EvalLoss"].extend(float(v) for v in batch["loss"])


def process_classification_evaluation_epoch(global_vars, eval_metric=None, tag=None, labels=None, logger=None):
    """Per-sample mean loss, top-k accuracies and the confusion matrix of everything gathered.

    Returns ``{"Evaluation_Loss<_tag>": float, "Evaluation_Accuracy_Top@k<_tag>": float, ...,
    "ConfusionMatrix<_tag>": int64 tensor}``; the matrix needs ``labels`` (class names).
    """
    suffix = f"_{tag}" if tag else ""
    samples = torch.tensor(global_vars.get("EvalSamples", []), dtype=torch.float64)
    total = float(samples.sum()) if len(samples) else 0.0
    losses = torch.tensor(global_vars.get("EvalLoss", []), dtype=torch.float64)
    if len(losses) == len(samples) and len(losses):
        loss = float((losses * samples).sum() / samples.sum())
    else:
        loss = float(losses.mean()) if len(losses) else float("nan")
    results = {f"Evaluation_Loss{suffix}": loss}
    hits = global_vars.get("TopKHits", torch.zeros(0))
    for k, count in zip(global_vars.get("TopK", _ks(eval_metric)), hits.tolist()):
        results[f"Evaluation_Accuracy_Top@{k}{suffix}"] = count / total if total else float("nan")
    if labels is not None and global_vars.get("Predictions"):
        results[f"ConfusionMatrix{suffix}"] = confusion_matrix(
            torch.cat(global_vars["Predictions"]), torch.cat(global_vars["Labels"]), len(labels))
    if logger:
        for name, value in results.items():
            if not name.startswith("ConfusionMatrix"):
                logger.info(f"==========>>>>>>{name}: {value:.4f}")
    return results


def write_classification_results(tb_writer, results, step, labels):
    """``EvaluatorCallback(tb_writer_func=partial(write_classification_results, labels=...))``: numbers as
    scalars, each confusion matrix as an image."""
    for name, value in results.items():
        if name.startswith("ConfusionMatrix"):
            tb_writer.add_image(name, confusion_matrix_image(value.numpy(), list(labels)), step)
        else:
            tb_writer.add_scalar(name, value, step)
