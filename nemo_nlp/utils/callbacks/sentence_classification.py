"""Evaluation callbacks of sentence classification: accuracy and per-class F1.

Evaluate the tensors ``[logits, labels]``.
"""

import logging

from ..metrics import class_scores, values_of

__all__ = ["eval_epochs_done_callback", "eval_iter_callback"]


def eval_iter_callback(tensors, global_vars):
    """Keep the predicted and true class of every sentence."""
    for logits, labels in zip(values_of(tensors, "logits"), values_of(tensors, "labels")):
        global_vars.setdefault("preds", []).extend(logits.argmax(dim=-1).tolist())
        global_vars.setdefault("labels", []).extend(labels.tolist())


def eval_epochs_done_callback(global_vars, label_names=None):
    """Accuracy, macro F1 and ``f1_<class>``; logs the per-class report.
    ``label_names`` lists the class names by id (default: the ids)."""
    labels, preds = global_vars.get("labels", []), global_vars.get("preds", [])
    names = label_names or [str(i) for i in range(max(labels + preds, default=0) + 1)]
    scores, report = class_scores(labels, preds, names)
    logging.getLogger("nemo").info("Sentence classification: accuracy %.4f\n%s", scores["accuracy"], report)
    return scores
