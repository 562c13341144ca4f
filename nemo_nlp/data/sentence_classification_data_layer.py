"""BertTextClassificationDataLayer (0.10) / BertSentenceClassificationDataLayer (0.8)."""

from nemo.core.neural_types import LabelsType, NeuralType

from .datasets.sentence_classification import SentenceClassificationDataset, read_sentence_labels
from .text_data_layer import TextDataLayer

__all__ = ["BertSentenceClassificationDataLayer", "BertTextClassificationDataLayer",
           "BertTextClassificationInferDataLayer"]


class BertTextClassificationDataLayer(TextDataLayer):
    """Labelled sentences from ``input_file`` (``sentence<TAB>label``, optional header).

    Output ports: ``input_ids, input_type_ids, input_mask`` (B, T), ``labels`` (B).
    """

    _port_overrides = {"labels": NeuralType(tuple("B"), LabelsType())}

    def __init__(self, input_file, tokenizer, max_seq_length, num_samples=-1, shuffle=True, batch_size=64,
                 num_workers=0, name=None, **kwargs):
        rows = read_sentence_labels(input_file)
        rows = rows[:num_samples] if num_samples > 0 else rows
        super().__init__(SentenceClassificationDataset(rows, tokenizer, max_seq_length), batch_size, shuffle,
                         num_workers, name=name, **kwargs)


class BertSentenceClassificationDataLayer(BertTextClassificationDataLayer):
    """The 0.8 name of :class:`BertTextClassificationDataLayer`."""


class BertTextClassificationInferDataLayer(TextDataLayer):
    """Raw ``queries`` (strings) to classify. Output ports: ``input_ids, input_type_ids, input_mask``."""

    def __init__(self, queries, tokenizer, max_seq_length=128, batch_size=32, name=None, **kwargs):
        dataset = SentenceClassificationDataset([(q, None) for q in queries], tokenizer, max_seq_length)
        super().__init__(dataset, batch_size, shuffle=False, name=name, **kwargs)
