"""Greedy (best path) CTC decoding as a neural module."""

import torch

from nemo.backends.pytorch import NonTrainableNM
from nemo.core.neural_types import LengthsType, LogprobsType, NeuralType, PredictionsType

__all__ = ["GreedyCTCDecoder"]


class GreedyCTCDecoder(NonTrainableNM):
    """Most likely class per frame (collapse and blank removal happen in post-processing).

    Frames past ``log_probs_length`` (padding, whose outputs CTC never trained) are
    set to the blank (the last class) so they never reach a transcript; without
    lengths every frame is decoded, as in the legacy module.

    Input ports: ``log_probs`` (B, T, C), optional ``log_probs_length`` (B,).
    Output port: ``predictions`` (B, T) class ids.
    """

    @property
    def input_ports(self):
        return {
            "log_probs": NeuralType(("B", "T", "D"), LogprobsType()),
            "log_probs_length": NeuralType(tuple("B"), LengthsType(), optional=True),
        }

    @property
    def output_ports(self):
        return {"predictions": NeuralType(("B", "T"), PredictionsType())}

    def forward(self, log_probs, log_probs_length=None):
        predictions = log_probs.argmax(dim=-1)
        if log_probs_length is None:
            return predictions
        frames = torch.arange(predictions.shape[1], device=predictions.device)
        padded = frames[None, :] >= log_probs_length.to(predictions.device)[:, None]
        return predictions.masked_fill(padded, log_probs.shape[-1] - 1)
