"""Joint intent and slot data in the ATIS/SNIPS layout of legacy NeMo.

``<prefix>.tsv``: ``sentence<TAB>intent id`` lines (header ``sentence<TAB>label``);
``<prefix>_slots.tsv``: one slot id per word, space-separated, same line order;
``dict.intents.csv`` / ``dict.slots.csv``: the names, one a line, in id order.
"""

from .padded import PaddedDataset
from .sentence_classification import read_sentence_labels
from .subword_alignment import align_words
from .text_files import LabelledTextError, read_lines

__all__ = ["JointIntentSlotDataset", "read_names", "read_intent_slot_files"]

OUTPUTS = ("input_ids", "input_type_ids", "input_mask", "loss_mask", "subtokens_mask", "intents", "slots")


def read_names(path):
    """Names by id from a ``dict.*.csv`` file."""
    return [line.strip() for line in read_lines(path) if line.strip()]


def read_intent_slot_files(input_file, slot_file):
    """``[(words, intent id, slot ids)]``; slot counts must match word counts."""
    queries, slot_lines = read_sentence_labels(input_file), [l for l in read_lines(slot_file) if l.strip()]
    if len(queries) != len(slot_lines):
        raise LabelledTextError(f"{input_file} has {len(queries)} queries but {slot_file} has {len(slot_lines)} lines")
    rows = []
    for number, ((sentence, intent), slots) in enumerate(zip(queries, slot_lines), start=1):
        words, slot_ids = sentence.split(), slots.split()
        if len(words) != len(slot_ids) or not all(s.isdigit() for s in slot_ids):
            raise LabelledTextError(
                f"{slot_file}, line {number}: expected {len(words)} integer slot ids, got {slots!r}")
        rows.append((words, intent, [int(s) for s in slot_ids]))
    return rows


class JointIntentSlotDataset(PaddedDataset):
    """Queries with an intent id each and a slot id per word (first sub-token labelled).
    Batch: see ``OUTPUTS``; ``pad_label`` is the slot id of [CLS]/[SEP]/padding."""

    output_names = OUTPUTS

    def __init__(self, rows, tokenizer, max_seq_length, pad_label, ignore_extra_tokens=True, ignore_start_end=True):
        super().__init__()
        self.pad_values = {"input_ids": tokenizer.pad_id, "slots": pad_label}
        for words, intent, slots in rows:
            aligned = align_words(words, [slots], tokenizer, max_seq_length, [pad_label], ignore_extra_tokens,
                                  ignore_start_end)
            self.samples.append({
                "input_ids": aligned.input_ids, "input_type_ids": [0] * len(aligned.input_ids),
                "input_mask": [1] * len(aligned.input_ids), "loss_mask": aligned.loss_mask,
                "subtokens_mask": aligned.subtokens_mask, "intents": intent, "slots": aligned.labels[0],
            })
