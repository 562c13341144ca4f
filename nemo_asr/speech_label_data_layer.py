"""AudioToSpeechLabelDataLayer: manifests of audio clips and class labels as padded batches."""

from nemo.backends.pytorch import DataLayerNM
from nemo.core.neural_types import AudioSignal, LabelsType, LengthsType, NeuralType

from .parts.label_dataset import AudioLabelDataset

__all__ = ["AudioToSpeechLabelDataLayer"]


class AudioToSpeechLabelDataLayer(DataLayerNM):
    """Audio clips and one class label each (speech commands, VAD, speaker) from JSON-lines manifests.

    Each manifest line has ``audio_filepath``, ``duration`` and ``label`` (optional ``offset``);
    ``manifest_filepath`` may list several manifests, comma-separated. ``time_length`` (seconds)
    crops or zero-pads every clip to a fixed length: a random window when ``shuffle`` is on
    (training), the centre otherwise. ``augmentor`` is a callable applied to each waveform.
    ``load_audio=False`` is not supported (the layer always decodes audio).

    Output ports:
        ``audio_signal`` (B, T) AudioSignal(sample_rate), ``a_sig_length`` (B,),
        ``label`` (B,) class indices into ``labels``, ``label_length`` (B,) ones.
    """

    def __init__(self, manifest_filepath, labels, batch_size, sample_rate=16000, int_values=False, num_workers=0,
                 shuffle=True, min_duration=0.1, max_duration=None, trim_silence=False, drop_last=False,
                 load_audio=True, augmentor=None, time_length=None, name=None, **kwargs):
        super().__init__(name=name, batch_size=batch_size, shuffle=shuffle, num_workers=num_workers,
                         drop_last=drop_last, **kwargs)
        if not load_audio:
            raise ValueError(f"{type(self).__name__}: load_audio=False is not supported; the layer decodes audio")
        self._sample_rate = sample_rate
        self._dataset = AudioLabelDataset(
            manifest_filepath=manifest_filepath, labels=labels, sample_rate=sample_rate, int_values=int_values,
            min_duration=min_duration, max_duration=max_duration, trim_silence=trim_silence, augmentor=augmentor,
            time_length=time_length, random_crop=bool(shuffle),
        )

    @property
    def output_ports(self):
        return {
            "audio_signal": NeuralType(("B", "T"), AudioSignal(freq=self._sample_rate)),
            "a_sig_length": NeuralType(tuple("B"), LengthsType()),
            "label": NeuralType(tuple("B"), LabelsType()),
            "label_length": NeuralType(tuple("B"), LengthsType()),
        }

    @property
    def labels(self):
        return list(self._dataset.labels)

    @property
    def num_classes(self):
        return len(self._dataset.labels)

    @property
    def dataset(self):
        return self._dataset
