"""CropOrPadSpectrogramAugmentation: spectrograms cut or padded to a fixed number of frames."""

import torch

from nemo.backends.pytorch import NonTrainableNM
from nemo.core.neural_types import LengthsType, NeuralType, SpectrogramType

__all__ = ["CropOrPadSpectrogramAugmentation"]


class CropOrPadSpectrogramAugmentation(NonTrainableNM):
    """Every spectrogram cut to ``audio_length`` frames, or zero-padded to it.

    A longer clip keeps a window inside its valid frames: random in training (offsets from
    torch's seeded generator, drawn on the batch's device), centred in evaluation.

    Input ports: ``input_signal`` (B, D, T), ``length`` (B,).
    Output ports: ``processed_signal`` (B, D, audio_length), ``processed_length`` (B,).
    """

    def __init__(self, audio_length, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        if int(audio_length) <= 0:
            raise ValueError(f"CropOrPadSpectrogramAugmentation: audio_length must be positive, got {audio_length}")
        self.audio_length = int(audio_length)

    @property
    def input_ports(self):
        return {
            "input_signal": NeuralType(("B", "D", "T"), SpectrogramType()),
            "length": NeuralType(tuple("B"), LengthsType()),
        }

    @property
    def output_ports(self):
        return {
            "processed_signal": NeuralType(("B", "D", "T"), SpectrogramType()),
            "processed_length": NeuralType(tuple("B"), LengthsType()),
        }

    def forward(self, input_signal, length):
        frames = self.audio_length
        if input_signal.shape[2] < frames:
            input_signal = torch.nn.functional.pad(input_signal, (0, frames - input_signal.shape[2]))
        spare = (length - frames).clamp(min=0)
        if self.training:
            start = (torch.rand(length.shape, device=length.device) * (spare + 1)).floor().long().clamp(max=spare)
        else:
            start = torch.div(spare, 2, rounding_mode="floor")
        index = (start.unsqueeze(1) + torch.arange(frames, device=length.device)).unsqueeze(1)
        cropped = input_signal.gather(2, index.expand(-1, input_signal.shape[1], -1))
        return cropped, length.clamp(max=frames)
