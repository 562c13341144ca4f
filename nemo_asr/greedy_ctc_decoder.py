"""Greedy (best path) CTC decoding as a neural module."""

from nemo.backends.pytorch import NonTrainableNM
from nemo.core.neural_types import LogprobsType, NeuralType, PredictionsType

__all__ = ["GreedyCTCDecoder"]


class GreedyCTCDecoder(NonTrainableNM):
    """Most likely class per frame (collapse and blank removal happen in post-processing).

    Input port: ``log_probs`` (B, T, C). Output port: ``predictions`` (B, T) class ids.
    """

    @property
    def input_ports(self):
        return {"log_probs": NeuralType(("B", "T", "D"), LogprobsType())}

    @property
    def output_ports(self):
        return {"predictions": NeuralType(("B", "T"), PredictionsType())}

    def forward(self, log_probs):
        return log_probs.argmax(dim=-1)
