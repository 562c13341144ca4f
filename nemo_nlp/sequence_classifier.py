"""SequenceClassifier: a class per sequence from its first ([CLS]) hidden state."""

from torch import nn

from nemo.backends.pytorch.common import MLP
from nemo.backends.pytorch.nm import TrainableNM
from nemo.core.neural_types import ChannelType, LogitsType, NeuralType

__all__ = ["SequenceClassifier"]


class SequenceClassifier(TrainableNM):
    """Dropout and an :class:`MLP` on the hidden state at ``idx_conditioned_on`` (0: [CLS]).

    Input port: ``hidden_states`` (B, T, D). Output port: ``logits`` (B, C).
    """

    def __init__(self, hidden_size, num_classes, num_layers=2, activation="relu", log_softmax=True, dropout=0.0,
                 idx_conditioned_on=0, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self._num_classes = num_classes
        self._index = idx_conditioned_on
        self.dropout = nn.Dropout(dropout)
        self.mlp = MLP(hidden_size, num_classes, num_layers, activation, log_softmax)

    @property
    def input_ports(self):
        return {"hidden_states": NeuralType(("B", "T", "D"), ChannelType())}

    @property
    def output_ports(self):
        return {"logits": NeuralType(("B", "D"), LogitsType())}

    @property
    def num_classes(self):
        return self._num_classes

    def forward(self, hidden_states):
        return self.mlp(self.dropout(hidden_states[:, self._index]))
