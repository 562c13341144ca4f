"""AudioToTextDataLayer: manifests of speech and transcripts as padded batches."""

from nemo.backends.pytorch import DataLayerNM
from nemo.core.neural_types import AudioSignal, LabelsType, LengthsType, NeuralType

from .parts.dataset import AudioDataset

__all__ = ["AudioToTextDataLayer"]


def audio_text_ports(sample_rate):
    """The four output ports of every speech-and-transcript data layer."""
    return {
        "audio_signal": NeuralType(("B", "T"), AudioSignal(freq=sample_rate)),
        "a_sig_length": NeuralType(tuple("B"), LengthsType()),
        "transcripts": NeuralType(("B", "T"), LabelsType()),
        "transcript_length": NeuralType(tuple("B"), LengthsType()),
    }


class AudioToTextDataLayer(DataLayerNM):
    """Speech and character transcripts from JSON-lines manifests.

    ``manifest_filepath`` may list several manifests, comma-separated; relative
    audio paths resolve against each manifest's folder. ``augmentor`` is an
    :class:`~nemo_asr.parts.perturb.AudioAugmentor`, its legacy config dict
    (``{speed: {prob: 0.5, ...}, ...}``) or a callable; ``load_audio=False`` yields
    empty audio and only the transcripts.

    Output ports:
        ``audio_signal`` (B, T) AudioSignal(sample_rate), ``a_sig_length`` (B,),
        ``transcripts`` (B, T) label ids, ``transcript_length`` (B,).
    """

    def __init__(self, manifest_filepath, labels, batch_size, sample_rate=16000, int_values=False, bos_id=None,
                 eos_id=None, pad_id=None, min_duration=0.1, max_duration=None, normalize_transcripts=True,
                 trim_silence=False, drop_last=False, shuffle=True, num_workers=None, augmentor=None, max_utts=0,
                 load_audio=True, augment_seed=None, name=None, **kwargs):
        super().__init__(name=name, batch_size=batch_size, shuffle=shuffle, num_workers=num_workers,
                         drop_last=drop_last, **kwargs)
        self._sample_rate = sample_rate
        self._dataset = AudioDataset(
            manifest_filepath=manifest_filepath, labels=labels, sample_rate=sample_rate, int_values=int_values,
            bos_id=bos_id, eos_id=eos_id, pad_id=0 if pad_id is None else pad_id, min_duration=min_duration,
            max_duration=max_duration, normalize_transcripts=normalize_transcripts, trim_silence=trim_silence,
            max_utts=max_utts, augmentor=augmentor, augment_seed=augment_seed,
            load_audio=load_audio,
        )

    @property
    def output_ports(self):
        return audio_text_ports(self._sample_rate)

    @property
    def dataset(self):
        return self._dataset
