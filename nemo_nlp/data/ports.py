"""Neural types of the ports NLP data layers and modules share."""

from nemo.core.neural_types import ChannelType, Index, LabelsType, NeuralType

__all__ = ["PORT_TYPES", "port_types"]

_TOKENS = ("B", "T")
PORT_TYPES = {
    "input_ids": NeuralType(_TOKENS, ChannelType()),
    "input_type_ids": NeuralType(_TOKENS, ChannelType()),
    "input_mask": NeuralType(_TOKENS, ChannelType()),
    "loss_mask": NeuralType(_TOKENS, ChannelType()),
    "subtokens_mask": NeuralType(_TOKENS, ChannelType()),
    "labels": NeuralType(_TOKENS, LabelsType()),
    "seq_ids": NeuralType(tuple("B"), Index()),
    "punct_labels": NeuralType(_TOKENS, LabelsType()),
    "capit_labels": NeuralType(_TOKENS, LabelsType()),
    "intents": NeuralType(tuple("B"), LabelsType()),
    "slots": NeuralType(_TOKENS, LabelsType()),
    "output_ids": NeuralType(_TOKENS, LabelsType()),
    "output_mask": NeuralType(_TOKENS, ChannelType()),
    "sentence_labels": NeuralType(tuple("B"), LabelsType()),
}


def port_types(names, overrides=None):
    """``{name: NeuralType}`` for ``names`` in order (``overrides`` replace entries)."""
    table = dict(PORT_TYPES, **(overrides or {}))
    return {name: table[name] for name in names}
