"""BertTokenClassificationInferDataLayer: raw text queries for a trained token classifier."""

from .datasets.raw_text import TokenQueryDataset
from .text_data_layer import TextDataLayer

__all__ = ["BertTokenClassificationInferDataLayer"]


class BertTokenClassificationInferDataLayer(TextDataLayer):
    """``queries`` (a list of strings) as BERT inputs, in order.

    Output ports: ``input_ids, input_type_ids, input_mask, subtokens_mask`` (B, T);
    ``dataset.words`` / ``dataset.aligned`` map predictions back to words.
    """

    def __init__(self, queries, tokenizer, max_seq_length=128, batch_size=32, name=None, **kwargs):
        super().__init__(TokenQueryDataset(list(queries), tokenizer, max_seq_length), batch_size, shuffle=False,
                         name=name, **kwargs)
