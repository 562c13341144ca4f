"""Evaluation callbacks of 0.10 token classification: per-class report and accuracy over each
word's first sub-token, entity F1 for IOB labels.

Evaluate the tensors ``[logits, labels, subtokens_mask]``.
"""

import logging

from ..metrics import first_subtoken_rows, token_scores, values_of

__all__ = ["eval_epochs_done_callback", "eval_iter_callback", "label_names_by_id"]


def label_names_by_id(label_ids):
    """Label names ordered by id, from a ``{label: id}`` dict."""
    return [label for label, _ in sorted(label_ids.items(), key=lambda item: item[1])]


def eval_iter_callback(tensors, global_vars):
    batches = zip(values_of(tensors, "logits"), values_of(tensors, "labels"), values_of(tensors, "subtokens_mask"))
    for logits, labels, mask in batches:
        global_vars.setdefault("rows", []).extend(first_subtoken_rows(logits, labels, mask))


def eval_epochs_done_callback(global_vars, label_ids):
    """``accuracy``, ``macro_f1``, ``f1_<label>`` and, for IOB labels, ``entity_f1``."""
    scores, report = token_scores(global_vars.get("rows", []), label_names_by_id(label_ids))
    logging.getLogger("nemo").info("Token classification: accuracy %.4f\n%s", scores["accuracy"], report)
    return scores
