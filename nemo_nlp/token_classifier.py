"""Token classification heads: TokenClassifier and BertTokenClassifier (the masked-LM head)."""

from torch import nn

from nemo.backends.pytorch.common import MLP
from nemo.backends.pytorch.nm import TrainableNM
from nemo.core.neural_types import ChannelType, LogitsType, NeuralType

__all__ = ["BertTokenClassifier", "TokenClassifier", "transformer_init_"]


def transformer_init_(module):
    """The legacy N(0, 0.02) initialisation of linear layers (opt-in: PyTorch's default learns faster)."""
    for layer in module.modules():
        if isinstance(layer, nn.Linear):
            nn.init.normal_(layer.weight, std=0.02)
            nn.init.zeros_(layer.bias)


class TokenClassifier(TrainableNM):
    """Dropout, then an :class:`MLP` on every token's hidden state.

    Weights keep PyTorch's default initialisation unless ``use_transformer_init``.
    Input port: ``hidden_states`` (B, T, D). Output port: ``logits`` (B, T, C)
    (log-probabilities when ``log_softmax``).
    """

    def __init__(self, hidden_size, num_classes, activation="relu", log_softmax=True, dropout=0.0, num_layers=2,
                 use_transformer_init=False, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self._num_classes = num_classes
        self.dropout = nn.Dropout(dropout)
        self.mlp = MLP(hidden_size, num_classes, num_layers, activation, log_softmax)
        if use_transformer_init:
            transformer_init_(self)

    @property
    def input_ports(self):
        return {"hidden_states": NeuralType(("B", "T", "D"), ChannelType())}

    @property
    def output_ports(self):
        return {"logits": NeuralType(("B", "T", "D"), LogitsType())}

    @property
    def num_classes(self):
        return self._num_classes

    def forward(self, hidden_states):
        return self.mlp(self.dropout(hidden_states))


class BertTokenClassifier(TokenClassifier):
    """BERT's prediction head: Linear + activation + LayerNorm, then an :class:`MLP`.

    Used for masked language modelling with ``num_classes`` = vocabulary size and
    ``mlp.last_linear_layer.weight`` tied to the encoder's word embeddings.
    Input port: ``hidden_states`` (B, T, D). Output port: ``logits`` (B, T, C).
    """

    def __init__(self, hidden_size, num_classes, activation="gelu", log_softmax=True, dropout=0.0, num_layers=1,
                 use_transformer_init=True, name=None, **kwargs):
        super().__init__(hidden_size, num_classes, "relu", log_softmax, dropout, num_layers, False, name=name,
                         **kwargs)
        self.transform = nn.Sequential(nn.Linear(hidden_size, hidden_size), nn.GELU() if activation == "gelu"
                                       else nn.ReLU(), nn.LayerNorm(hidden_size, eps=1e-12))
        if use_transformer_init:
            transformer_init_(self)

    def forward(self, hidden_states):
        return self.mlp(self.transform(self.dropout(hidden_states)))
