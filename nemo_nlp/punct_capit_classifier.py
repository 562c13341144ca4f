"""PunctCapitTokenClassifier: punctuation and capitalization heads on the same tokens."""

from torch import nn

from nemo.backends.pytorch.common import MLP
from nemo.backends.pytorch.nm import TrainableNM
from nemo.core.neural_types import ChannelType, LogitsType, NeuralType

__all__ = ["PunctCapitTokenClassifier"]


class PunctCapitTokenClassifier(TrainableNM):
    """Dropout, then one :class:`MLP` per task on every token.

    Input port: ``hidden_states`` (B, T, D). Output ports: ``punct_logits`` (B, T, P),
    ``capit_logits`` (B, T, C).
    """

    def __init__(self, hidden_size, punct_num_classes, capit_num_classes, punct_num_layers=2, capit_num_layers=2,
                 activation="relu", log_softmax=True, dropout=0.0, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.dropout = nn.Dropout(dropout)
        self.punct_mlp = MLP(hidden_size, punct_num_classes, punct_num_layers, activation, log_softmax)
        self.capit_mlp = MLP(hidden_size, capit_num_classes, capit_num_layers, activation, log_softmax)

    @property
    def input_ports(self):
        return {"hidden_states": NeuralType(("B", "T", "D"), ChannelType())}

    @property
    def output_ports(self):
        logits = NeuralType(("B", "T", "D"), LogitsType())
        return {"punct_logits": logits, "capit_logits": logits}

    def forward(self, hidden_states):
        hidden_states = self.dropout(hidden_states)
        return self.punct_mlp(hidden_states), self.capit_mlp(hidden_states)
