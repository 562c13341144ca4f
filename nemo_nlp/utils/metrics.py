"""Scores of the NLP tasks: accuracy and per-class F1 (scikit-learn), entity F1 (seqeval)."""

__all__ = ["class_scores", "entity_scores", "first_subtoken_rows", "is_iob", "token_scores", "values_of"]


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


def first_subtoken_rows(logits, labels, subtokens_mask):
    """Per sentence of a batch, ``(true ids, predicted ids)`` at each word's first sub-token."""
    preds = logits.argmax(dim=-1).tolist()
    rows = []
    for pred_row, label_row, mask_row in zip(preds, labels.tolist(), subtokens_mask.tolist()):
        keep = [i for i, flag in enumerate(mask_row) if flag > 0.5]
        rows.append(([label_row[i] for i in keep], [pred_row[i] for i in keep]))
    return rows


def token_scores(rows, label_names):
    """Per-word class scores of ``rows`` (from :func:`first_subtoken_rows`), plus entity
    precision/recall/F1 (``entity_f1`` ...) when the labels are IOB. Returns ``(scores, report)``."""
    flat_true = [t for true, _ in rows for t in true]
    flat_pred = [p for _, pred in rows for p in pred]
    scores, report = class_scores(flat_true, flat_pred, label_names)
    if is_iob(label_names):
        names = [str(n) for n in label_names]
        entities, entity_report = entity_scores([[names[t] for t in true] for true, _ in rows],
                                                [[names[p] for p in pred] for _, pred in rows])
        scores.update({f"entity_{key}": value for key, value in entities.items()})
        report = report + "\n" + entity_report
    return scores, report
