"""Random fixed-length audio crops for vocoder training."""
import torch

from nemo.backends.pytorch import NonTrainableNM
from nemo.core.neural_types import AudioSignal, LengthsType, NeuralType

__all__ = ["RandomAudioSegment"]


class RandomAudioSegment(NonTrainableNM):
    """Cut ``n_segments`` samples at a random offset inside each utterance (zero-padded when shorter).

    Offsets come from torch's default generator (seeded by the factory, saved in checkpoints) and
    are drawn on the batch's device.

    Input ports: ``audio_signal`` (B, T), ``a_sig_length`` (B,).
    Output ports: ``audio_signal`` (B, n_segments), ``a_sig_length`` (B,).
    """

    def __init__(self, n_segments, sample_rate=22050, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.n_segments = n_segments
        self.sample_rate = sample_rate

    @property
    def input_ports(self):
        return {"audio_signal": NeuralType(("B", "T"), AudioSignal(freq=self.sample_rate)),
                "a_sig_length": NeuralType(tuple("B"), LengthsType())}

    output_ports = input_ports

    def forward(self, audio_signal, a_sig_length):
        lengths = a_sig_length.to(audio_signal.device)
        spare = (lengths - self.n_segments).clamp(min=0)
        offsets = (torch.rand(lengths.shape, device=audio_signal.device) * (spare + 1).to(torch.float32)).long()
        index = offsets[:, None] + torch.arange(self.n_segments, device=audio_signal.device)[None, :]
        padded = torch.nn.functional.pad(audio_signal, (0, max(0, self.n_segments - audio_signal.shape[1])))
        segment = padded.gather(1, index.clamp(max=padded.shape[1] - 1))
        valid = index < lengths[:, None]
        return segment * valid, lengths.clamp(max=self.n_segments)
