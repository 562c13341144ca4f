"""Evaluation callbacks of punctuation and capitalization: per-class reports of both heads.

Evaluate the tensors ``[punct_logits, capit_logits, punct_labels, capit_labels, subtokens_mask]``.
"""

import logging

from ..metrics import class_scores, first_subtoken_rows, values_of
from .token_classification import label_names_by_id

__all__ = ["eval_epochs_done_callback", "eval_iter_callback"]


def eval_iter_callback(tensors, global_vars):
    masks = values_of(tensors, "subtokens_mask")
    for head in ("punct", "capit"):
        batches = zip(values_of(tensors, f"{head}_logits"), values_of(tensors, f"{head}_labels"), masks)
        for logits, labels, mask in batches:
            global_vars.setdefault(head, []).extend(first_subtoken_rows(logits, labels, mask))


def eval_epochs_done_callback(global_vars, punct_label_ids, capit_label_ids):
    """``punct_accuracy``, ``punct_macro_f1``, ``punct_f1_<label>`` and the same for ``capit``."""
    results = {}
    for head, label_ids in (("punct", punct_label_ids), ("capit", capit_label_ids)):
        rows = global_vars.get(head, [])
        scores, report = class_scores([t for true, _ in rows for t in true], [p for _, pred in rows for p in pred],
                                      label_names_by_id(label_ids))
        logging.getLogger("nemo").info("%s: accuracy %.4f\n%s", head, scores["accuracy"], report)
        results.update({f"{head}_{key}": value for key, value in scores.items()})
    return results
