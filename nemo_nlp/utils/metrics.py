"""Scores of the NLP tasks: accuracy and per-class F1 (scikit-learn), entity F1 (seqeval)."""

__all__ = ["class_scores", "entity_scores", "is_iob", "values_of"]


def values_of(tensors, port):
    """The per-batch values of the tensors named after ``port`` in an evaluation callback's dict."""
    return [value for name, values in tensors.items() if name.split("~~~")[0] == port for value in values]


def class_scores(labels, preds, label_names):
    """Accuracy, macro F1 and per-class precision/recall/F1 of flat label ids.

    Returns ``(scores, report)``: ``scores`` holds ``accuracy``, ``macro_f1`` and
    ``f1_<class>``; ``report`` is the printable per-class table.
    """
    from sklearn.metrics import classification_report, precision_recall_fscore_support

    ids = list(range(len(label_names)))
    names = [str(n) for n in label_names]
    if not labels:
        return {"accuracy": 0.0, "macro_f1": 0.0}, "(no examples)"
    _, _, f1, _ = precision_recall_fscore_support(labels, preds, labels=ids, zero_division=0)
    present = sorted(set(labels))
    scores = {
        "accuracy": sum(int(a == b) for a, b in zip(labels, preds)) / len(labels),
        "macro_f1": float(sum(f1[i] for i in present) / len(present)),
    }
    scores.update({f"f1_{names[i]}": float(f1[i]) for i in present})
    report = classification_report(labels, preds, labels=ids, target_names=names, digits=4, zero_division=0)
    return scores, report


def is_iob(label_names):
    """Whether labels follow the IOB scheme (``O``, ``B-X``, ``I-X``)."""
    return any(str(n)[:2] in ("B-", "I-") for n in label_names) and all(
        str(n) == "O" or str(n)[:2] in ("B-", "I-", "E-", "S-") for n in label_names)


def entity_scores(gold_sequences, pred_sequences):
    """Entity-level precision, recall and F1 (seqeval, CoNLL scoring) and the per-type report."""
    from seqeval.metrics import classification_report, f1_score, precision_score, recall_score

    scores = {
        "precision": float(precision_score(gold_sequences, pred_sequences, zero_division=0)),
        "recall": float(recall_score(gold_sequences, pred_sequences, zero_division=0)),
        "f1": float(f1_score(gold_sequences, pred_sequences, zero_division=0)),
    }
    return scores, classification_report(gold_sequences, pred_sequences, digits=4, zero_division=0)
