"""Raw text queries as sub-token features (no labels): inference for token classification."""

from .padded import PaddedDataset
from .subword_alignment import align_words

__all__ = ["TokenQueryDataset"]


class TokenQueryDataset(PaddedDataset):
    """Each query split at whitespace into words; ``aligned[i]`` keeps the word → sub-token map.

    Batch: ``input_ids, input_type_ids, input_mask, subtokens_mask``.
    """

    output_names = ("input_ids", "input_type_ids", "input_mask", "subtokens_mask")

    def __init__(self, queries, tokenizer, max_seq_length):
        super().__init__()
        self.pad_values = {"input_ids": tokenizer.pad_id}
        self.words = [query.split() for query in queries]
        self.aligned = [align_words(words, [], tokenizer, max_seq_length, []) for words in self.words]
        self.samples = [{"input_ids": a.input_ids, "input_type_ids": [0] * len(a.input_ids),
                         "input_mask": [1] * len(a.input_ids), "subtokens_mask": a.subtokens_mask}
                        for a in self.aligned]
