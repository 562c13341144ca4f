"""JointIntentSlotClassifier: an intent per query and a slot per token, from one encoder."""

from torch import nn

from nemo.backends.pytorch.common import MLP
from nemo.backends.pytorch.nm import TrainableNM
from nemo.core.neural_types import ChannelType, LogitsType, NeuralType

__all__ = ["JointIntentSlotClassifier"]


class JointIntentSlotClassifier(TrainableNM):
    """Dropout, then an :class:`MLP` on the [CLS] state (intents) and one on every token (slots).

    Input port: ``hidden_states`` (B, T, D). Output ports: ``intent_logits`` (B, I),
    ``slot_logits`` (B, T, S).
    """

    def __init__(self, hidden_size, num_intents, num_slots, dropout=0.0, num_layers=2, activation="relu",
                 name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.dropout = nn.Dropout(dropout)
        self.intent_mlp = MLP(hidden_size, num_intents, num_layers, activation, log_softmax=False)
        self.slot_mlp = MLP(hidden_size, num_slots, num_layers, activation, log_softmax=False)

    @property
    def input_ports(self):
        return {"hidden_states": NeuralType(("B", "T", "D"), ChannelType())}

    @property
    def output_ports(self):
        return {"intent_logits": NeuralType(("B", "D"), LogitsType()),
                "slot_logits": NeuralType(("B", "T", "D"), LogitsType())}

    def forward(self, hidden_states):
        hidden_states = self.dropout(hidden_states)
        return self.intent_mlp(hidden_states[:, 0]), self.slot_mlp(hidden_states)
