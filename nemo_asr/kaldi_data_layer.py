"""KaldiFeatureDataLayer: precomputed features and transcripts from a Kaldi data directory."""

from nemo.backends.pytorch import DataLayerNM
from nemo.core.neural_types import LabelsType, LengthsType, NeuralType, SpectrogramType

from .parts.kaldi_dataset import KaldiFeatureDataset

__all__ = ["KaldiFeatureDataLayer"]


class KaldiFeatureDataLayer(DataLayerNM):
    """Features from ``<kaldi_dir>/feats.scp`` (read with kaldiio), transcripts from ``text``, durations
    for ``min_duration``/``max_duration`` from ``utt2dur``.

    Output ports:
        ``processed_signal`` (B, D, T) features, ``processed_length`` (B,),
        ``transcripts`` (B, T) label ids, ``transcript_length`` (B,).
    """

    def __init__(self, kaldi_dir, labels, batch_size, min_duration=None, max_duration=None,
                 normalize_transcripts=True, bos_id=None, eos_id=None, pad_id=None, shuffle=True, drop_last=False,
                 num_workers=None, name=None, **kwargs):
        super().__init__(name=name, batch_size=batch_size, shuffle=shuffle, num_workers=num_workers,
                         drop_last=drop_last, **kwargs)
        self._dataset = KaldiFeatureDataset(kaldi_dir, labels, min_duration=min_duration, max_duration=max_duration,
                                            normalize_transcripts=normalize_transcripts, bos_id=bos_id, eos_id=eos_id,
                                            pad_id=0 if pad_id is None else pad_id)

    @property
    def output_ports(self):
        return {
            "processed_signal": NeuralType(("B", "D", "T"), SpectrogramType()),
            "processed_length": NeuralType(tuple("B"), LengthsType()),
            "transcripts": NeuralType(("B", "T"), LabelsType()),
            "transcript_length": NeuralType(tuple("B"), LengthsType()),
        }

    @property
    def dataset(self):
        return self._dataset
