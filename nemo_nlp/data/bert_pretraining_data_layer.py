"""BERT pretraining data layers: masked-LM and next-sentence examples from raw text or from
preprocessed HDF5 shards."""

from nemo.core.neural_types import LabelsType, NeuralType

from .datasets.bert_pretraining import BertPretrainingDataset
from .datasets.bert_pretraining_shards import BertPretrainingShardDataset
from .text_data_layer import TextDataLayer

__all__ = ["BertPretrainingDataLayer", "BertPretrainingPreprocessedDataLayer"]


class BertPretrainingDataLayer(TextDataLayer):
    """Sentence pairs from ``dataset`` (a text file or a folder of ``.txt`` files; one
    sentence a line, documents separated by blank lines).

    Output ports: ``input_ids, input_type_ids, input_mask, output_ids, output_mask`` (B, T)
    and ``labels`` (B; 0: B follows A, 1: random B).
    """

    _port_overrides = {"labels": NeuralType(tuple("B"), LabelsType())}

    def __init__(self, tokenizer, dataset, max_seq_length, mask_probability=0.15, batch_size=64, shuffle=True,
                 num_workers=0, name=None, **kwargs):
        super().__init__(BertPretrainingDataset(tokenizer, dataset, max_seq_length, mask_probability), batch_size,
                         shuffle, num_workers, name=name, **kwargs)


class BertPretrainingPreprocessedDataLayer(TextDataLayer):
    """Pretraining examples from preprocessed HDF5 shards (``dataset``: a shard or a folder of them;
    the NVIDIA BERT layout, see :mod:`bert_pretraining_shards`). Same ports as
    :class:`BertPretrainingDataLayer`: ``input_ids, input_type_ids, input_mask, output_ids,
    output_mask`` (B, T) and ``labels`` (B)."""

    _port_overrides = {"labels": NeuralType(tuple("B"), LabelsType())}

    def __init__(self, dataset, max_pred_length, batch_size=64, training=True, shuffle=None, num_workers=None,
                 name=None, **kwargs):
        super().__init__(BertPretrainingShardDataset(dataset, max_pred_length), batch_size,
                         training if shuffle is None else shuffle, num_workers, name=name, **kwargs)
