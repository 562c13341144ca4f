"""Evaluation callbacks of the NER tutorial: entity F1 (seqeval), a per-type report, predictions file.

Use with ``nemo.core.EvaluatorCallback`` on the tensors ``[logits, seq_ids]``::

    user_iter_callback=lambda x, y: eval_iter_callback(x, y, data_layer, tag_ids)
    user_epochs_done_callback=lambda x: eval_epochs_done_callback(x, tag_ids, output_file)
"""

import logging

from nemo.utils.atomic import atomic_path

from ..metrics import entity_scores, values_of

__all__ = ["eval_epochs_done_callback", "eval_iter_callback"]


def eval_iter_callback(tensors, global_vars, eval_data_layer, tag_ids):
    """Keep, per sentence, the predicted tag id of each word's first sub-token and the gold tags."""
    dataset = eval_data_layer.dataset
    predictions = global_vars.setdefault("predictions", {})
    sentences = global_vars.setdefault("sentences", {})
    for logits, seq_ids in zip(values_of(tensors, "logits"), values_of(tensors, "seq_ids")):
        for row, seq_id in zip(logits.argmax(dim=-1).tolist(), seq_ids.tolist()):
            predictions[seq_id] = [row[p] for p in dataset.aligned[seq_id].first_positions()]
            sentences[seq_id] = dataset.sentences[seq_id]


def eval_epochs_done_callback(global_vars, tag_ids, output_file=None):
    """Entity precision/recall/F1 over the evaluated sentences; logs the per-type report and
    writes ``word gold predicted`` lines to ``output_file`` (if given). Words cut off by
    ``max_seq_length`` count as predicted ``O``."""
    id_to_tag = {index: tag for tag, index in tag_ids.items()}
    gold, predicted = [], []
    for seq_id in sorted(global_vars.get("predictions", {})):
        words, labels = global_vars["sentences"][seq_id]
        tags = [id_to_tag[i] for i in global_vars["predictions"][seq_id]]
        gold.append(list(labels))
        predicted.append(tags + ["O"] * (len(words) - len(tags)))
    scores, report = entity_scores(gold, predicted)
    logging.getLogger("nemo").info("NER evaluation: entity F1 %.4f\n%s", scores["f1"], report)
    if output_file:
        with atomic_path(output_file) as tmp, open(tmp, "w", encoding="utf-8") as handle:
            for seq_id, tags in zip(sorted(global_vars["predictions"]), predicted):
                words, labels = global_vars["sentences"][seq_id]
                handle.write("".join(f"{w}\t{g}\t{p}\n" for w, g, p in zip(words, labels, tags)) + "\n")
    return scores
