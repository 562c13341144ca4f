"""Token classification (NER) datasets: the 0.8 tutorial form and the 0.10 form."""

import logging

from .padded import PaddedDataset
from .subword_alignment import IGNORE_LABEL, align_words, build_label_ids
from .text_files import LabelledTextError

__all__ = ["TokenClassificationDataset", "TUTORIAL_OUTPUTS", "V010_OUTPUTS"]

TUTORIAL_OUTPUTS = ("input_ids", "input_type_ids", "input_mask", "labels", "seq_ids")
V010_OUTPUTS = ("input_ids", "input_type_ids", "input_mask", "loss_mask", "subtokens_mask", "labels")


class TokenClassificationDataset(PaddedDataset):
    """Sentences with one label per word, as sub-token features.

    ``sentences`` is ``[(words, labels)]`` read from ``source``. Each word is
    labelled by its first sub-token; with ``ignore_extra_tokens`` its other
    sub-tokens are left out of the loss, with ``ignore_start_end`` [CLS]/[SEP]
    too. ``label_ids`` (``tag_ids``) maps labels to ids (default: built from the
    data, ``pad_label`` first). ``outputs`` picks the batch layout: the tutorial
    form (labels are -100 where the loss must not look, plus ``seq_ids``) or
    the 0.10 form (``loss_mask`` and ``subtokens_mask``, labels padded with
    ``pad_label``).
    """

    def __init__(self, sentences, tokenizer, max_seq_length, source="", label_ids=None, pad_label="O",
                 ignore_extra_tokens=True, ignore_start_end=True, outputs=V010_OUTPUTS):
        super().__init__()
        self.sentences = sentences
        self.label_ids = dict(label_ids) if label_ids else build_label_ids([l for _, l in sentences], pad_label)
        if pad_label not in self.label_ids:
            raise ValueError(f"{source}: pad_label '{pad_label}' is not among the label ids {sorted(self.label_ids)}")
        self.pad_label = pad_label
        self.output_names = tuple(outputs)
        pad_id = self.label_ids[pad_label]
        tutorial = "seq_ids" in self.output_names
        self.pad_values = {"input_ids": tokenizer.pad_id, "labels": IGNORE_LABEL if tutorial else pad_id}
        self.aligned = []
        truncated = 0
        for seq_id, (words, labels) in enumerate(sentences):
            unknown = [label for label in labels if label not in self.label_ids]
            if unknown:
                raise LabelledTextError(
                    f"{source}: sentence {seq_id + 1} has label(s) {sorted(set(unknown))} not in the label ids "
                    f"{sorted(self.label_ids)}; pass the training set's label ids")
            aligned = align_words(words, [[self.label_ids[l] for l in labels]], tokenizer, max_seq_length, [pad_id],
                                  ignore_extra_tokens, ignore_start_end)
            truncated += aligned.num_words < len(words)
            self.aligned.append(aligned)
            label_row = aligned.labels[0]
            if tutorial:
                label_row = [l if m else IGNORE_LABEL for l, m in zip(label_row, aligned.loss_mask)]
            self.samples.append({
                "input_ids": aligned.input_ids,
                "input_type_ids": [0] * len(aligned.input_ids),
                "input_mask": [1] * len(aligned.input_ids),
                "loss_mask": aligned.loss_mask,
                "subtokens_mask": aligned.subtokens_mask,
                "labels": label_row,
                "seq_ids": seq_id,
            })
        if truncated:
            logging.getLogger("nemo").warning(
                f"{source}: {truncated} of {len(sentences)} sentences are longer than max_seq_length={max_seq_length} "
                f"sub-tokens; their last words are predicted as '{pad_label}'")

    @property
    def tag_ids(self):
        """Legacy name of :attr:`label_ids`."""
        return self.label_ids
