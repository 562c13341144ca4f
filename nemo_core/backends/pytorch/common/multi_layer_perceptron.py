"""A feed-forward classification head: hidden layers, then a linear layer to the classes."""

import torch
from torch import nn

from ....core.neural_types import ChannelType, LogitsType, LogprobsType, NeuralType
from ..nm import TrainableNM

__all__ = ["MLP", "MultiLayerPerceptron"]

_ACTIVATIONS = {"relu": nn.ReLU, "gelu": nn.GELU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}


class MLP(nn.Module):
    """``num_layers - 1`` blocks of Linear(hidden, hidden) + activation, then
    ``last_linear_layer`` (hidden → num_classes); log-softmax on request.

    Weights keep PyTorch's default initialisation, which lets a fresh head on a
    pretrained encoder learn quickly.
    """

    def __init__(self, hidden_size, num_classes, num_layers=2, activation="relu", log_softmax=True):
        super().__init__()
        if num_layers < 1:
            raise ValueError(f"MLP: num_layers must be >= 1, got {num_layers}")
        if activation not in _ACTIVATIONS:
            raise ValueError(f"MLP: unknown activation '{activation}'; known: {sorted(_ACTIVATIONS)}")
        blocks = []
        for _ in range(num_layers - 1):
            blocks += [nn.Linear(hidden_size, hidden_size), _ACTIVATIONS[activation]()]
        self.hidden_layers = nn.Sequential(*blocks)
        self.last_linear_layer = nn.Linear(hidden_size, num_classes)
        self.log_softmax = log_softmax

    def forward(self, hidden_states):
        logits = self.last_linear_layer(self.hidden_layers(hidden_states))
        return torch.log_softmax(logits, dim=-1) if self.log_softmax else logits


class MultiLayerPerceptron(TrainableNM):
    """:class:`MLP` as a neural module over the last axis.

    Input port: ``hidden_states`` (B, T, D). Output port: ``logits`` (B, T, C)
    (log-probabilities when ``log_softmax``).
    """

    def __init__(self, hidden_size, num_classes, num_layers=2, activation="relu", log_softmax=True, name=None,
                 **kwargs):
        super().__init__(name=name, **kwargs)
        self._log_softmax = log_softmax
        self.mlp = MLP(hidden_size, num_classes, num_layers, activation, log_softmax)

    @property
    def input_ports(self):
        return {"hidden_states": NeuralType(("B", "T", "D"), ChannelType())}

    @property
    def output_ports(self):
        element = LogprobsType() if self._log_softmax else LogitsType()
        return {"logits": NeuralType(("B", "T", "D"), element)}

    @property
    def last_linear_layer(self):
        return self.mlp.last_linear_layer

    def forward(self, hidden_states):
        return self.mlp(hidden_states)
