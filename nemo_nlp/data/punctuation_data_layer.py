"""BertPunctuationCapitalizationDataLayer: text + two-letter labels for the two token heads."""

from .datasets.punctuation_capitalization import PunctuationCapitalizationDataset
from .datasets.text_files import read_text_and_labels
from .text_data_layer import TextDataLayer

__all__ = ["BertPunctuationCapitalizationDataLayer"]


class BertPunctuationCapitalizationDataLayer(TextDataLayer):
    """``text_file`` (lower-case words without punctuation, a sentence a line) and
    ``label_file`` (``<punctuation><U|O>`` per word).

    Output ports: ``input_ids, input_type_ids, input_mask, loss_mask, subtokens_mask,
    punct_labels, capit_labels`` (B, T). ``dataset.punct_label_ids`` / ``capit_label_ids``
    are the label maps (pass the training set's to an evaluation layer).
    """

    def __init__(self, text_file, label_file, tokenizer, max_seq_length, pad_label="O", punct_label_ids=None,
                 capit_label_ids=None, num_samples=-1, shuffle=True, batch_size=64, ignore_extra_tokens=True,
                 ignore_start_end=True, num_workers=0, name=None, **kwargs):
        sentences = read_text_and_labels(text_file, label_file)
        sentences = sentences[:num_samples] if num_samples > 0 else sentences
        dataset = PunctuationCapitalizationDataset(sentences, tokenizer, max_seq_length, text_file, pad_label,
                                                   punct_label_ids, capit_label_ids, ignore_extra_tokens,
                                                   ignore_start_end)
        super().__init__(dataset, batch_size, shuffle, num_workers, name=name, **kwargs)
