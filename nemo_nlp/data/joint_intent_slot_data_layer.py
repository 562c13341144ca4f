"""BertJointIntentSlotDataLayer: queries with an intent and per-word slots."""

from .datasets.joint_intent_slot import JointIntentSlotDataset, read_intent_slot_files
from .text_data_layer import TextDataLayer

__all__ = ["BertJointIntentSlotDataLayer"]


class BertJointIntentSlotDataLayer(TextDataLayer):
    """``input_file`` (``sentence<TAB>intent id``) and ``slot_file`` (slot ids per word).

    Output ports: ``input_ids, input_type_ids, input_mask, loss_mask, subtokens_mask``,
    ``slots`` (B, T) and ``intents`` (B). ``pad_label`` is the id of the empty slot (``O``).
    """

    def __init__(self, input_file, slot_file, pad_label, tokenizer, max_seq_length, num_samples=-1, shuffle=True,
                 batch_size=64, ignore_extra_tokens=True, ignore_start_end=True, num_workers=0, name=None, **kwargs):
        rows = read_intent_slot_files(input_file, slot_file)
        rows = rows[:num_samples] if num_samples > 0 else rows
        dataset = JointIntentSlotDataset(rows, tokenizer, max_seq_length, pad_label, ignore_extra_tokens,
                                         ignore_start_end)
        super().__init__(dataset, batch_size, shuffle, num_workers, name=name, **kwargs)
