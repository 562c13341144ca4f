"""BertTokenClassificationDataLayer: NER-style data, in the 0.8 tutorial and the 0.10 forms."""

from .datasets.text_files import read_conll, read_text_and_labels
from .datasets.token_classification import TUTORIAL_OUTPUTS, V010_OUTPUTS, TokenClassificationDataset
from .text_data_layer import TextDataLayer

__all__ = ["BertTokenClassificationDataLayer"]

_TUTORIAL_DATASETS = ("BertCornellNERDataset", "BertNERDataset")


class BertTokenClassificationDataLayer(TextDataLayer):
    """Word-labelled sentences for a token classifier on a BERT-family encoder.

    Two ways to give the data:

    * 0.8 tutorial: ``input_file`` in CoNLL layout (``WORD<TAB>LABEL``, blank
      line between sentences), ``dataset_type="BertCornellNERDataset"``.
      Output ports: ``input_ids, input_type_ids, input_mask, labels, seq_ids``;
      ``labels`` is -100 on sub-tokens the loss skips.
    * 0.10: ``text_file`` (a sentence a line) and ``label_file`` (its labels).
      Output ports: ``input_ids, input_type_ids, input_mask, loss_mask,
      subtokens_mask, labels``.

    Each word is labelled by its first sub-token (``ignore_extra_tokens``);
    ``label_ids``/``tag_ids`` fix the label ids (pass the training set's to an
    evaluation layer). ``dataset.tag_ids`` is the label → id map.
    """

    def __init__(self, text_file=None, label_file=None, tokenizer=None, max_seq_length=128, pad_label="O",
                 label_ids=None, num_samples=-1, shuffle=True, batch_size=64, ignore_extra_tokens=True,
                 ignore_start_end=True, dataset_type=None, input_file=None, tag_ids=None, num_workers=0,
                 name=None, **kwargs):
        if tokenizer is None:
            raise ValueError("BertTokenClassificationDataLayer needs a tokenizer")
        tutorial = input_file is not None or (isinstance(dataset_type, str) and dataset_type in _TUTORIAL_DATASETS)
        if tutorial:
            if input_file is None:
                raise ValueError(f"dataset_type='{dataset_type}' reads a CoNLL file: give input_file")
            sentences, source = read_conll(input_file), input_file
        else:
            if text_file is None or label_file is None:
                raise ValueError("BertTokenClassificationDataLayer: give text_file and label_file "
                                 "(or input_file with dataset_type='BertCornellNERDataset')")
            sentences, source = read_text_and_labels(text_file, label_file), text_file
        if num_samples > 0:
            sentences = sentences[:num_samples]
        dataset = TokenClassificationDataset(
            sentences, tokenizer, max_seq_length, source=source, label_ids=label_ids or tag_ids, pad_label=pad_label,
            ignore_extra_tokens=ignore_extra_tokens, ignore_start_end=ignore_start_end,
            outputs=TUTORIAL_OUTPUTS if tutorial else V010_OUTPUTS)
        super().__init__(dataset, batch_size, shuffle=shuffle, num_workers=num_workers, name=name, **kwargs)
