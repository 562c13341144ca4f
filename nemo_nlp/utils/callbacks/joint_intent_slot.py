"""Evaluation callbacks of joint intent classification and slot filling: intent accuracy, slot F1.

Evaluate the tensors ``[intent_logits, slot_logits, subtokens_mask, intents, slots]``.
"""

import logging

from ..metrics import class_scores, first_subtoken_rows, token_scores, values_of

__all__ = ["eval_epochs_done_callback", "eval_iter_callback"]


def eval_iter_callback(tensors, global_vars):
    for logits, intents in zip(values_of(tensors, "intent_logits"), values_of(tensors, "intents")):
        global_vars.setdefault("intent_preds", []).extend(logits.argmax(dim=-1).tolist())
        global_vars.setdefault("intents", []).extend(intents.tolist())
    batches = zip(values_of(tensors, "slot_logits"), values_of(tensors, "slots"), values_of(tensors, "subtokens_mask"))
    for logits, slots, mask in batches:
        global_vars.setdefault("slot_rows", []).extend(first_subtoken_rows(logits, slots, mask))


def eval_epochs_done_callback(global_vars, intent_names, slot_names):
    """``intent_accuracy``, ``intent_macro_f1``, ``slot_accuracy``, ``slot_macro_f1`` and, for IOB
    slot names, ``slot_entity_f1``. ``intent_names``/``slot_names`` list the names by id."""
    intents, _ = class_scores(global_vars.get("intents", []), global_vars.get("intent_preds", []), intent_names)
    slots, report = token_scores(global_vars.get("slot_rows", []), slot_names)
    logging.getLogger("nemo").info("Intent accuracy %.4f; slots:\n%s", intents["accuracy"], report)
    results = {f"intent_{key}": intents[key] for key in ("accuracy", "macro_f1")}
    results.update({f"slot_{key}": value for key, value in slots.items() if not key.startswith("f1_")})
    return results
