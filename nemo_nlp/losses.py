"""Losses of the NLP tasks: token classification, masked LM, joint intent/slot."""

from nemo.backends.pytorch.common.losses import masked_cross_entropy
from nemo.backends.pytorch.nm import LossNM
from nemo.core.neural_types import ChannelType, LabelsType, LogitsType, LossType, NeuralType

__all__ = ["JointIntentSlotLoss", "MaskedLanguageModelingLossNM", "TokenClassificationLoss"]

_TOKENS = ("B", "T")


def _class_weights(weights):
    import torch

    return None if weights is None else torch.as_tensor(weights, dtype=torch.float32)


class TokenClassificationLoss(LossNM):
    """Mean cross entropy over the tokens the masks keep and whose label is not -100.

    Input ports: ``logits`` (B, T, C), ``labels`` (B, T), ``input_mask`` and/or
    ``loss_mask`` (B, T), both optional. Output port: ``loss``.
    """

    def __init__(self, num_classes, class_weights=None, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self._num_classes = num_classes
        self.register_buffer("_class_weights", _class_weights(class_weights), persistent=False)

    @property
    def input_ports(self):
        return {
            "logits": NeuralType(_TOKENS + ("D",), LogitsType()),
            "labels": NeuralType(_TOKENS, LabelsType()),
            "input_mask": NeuralType(_TOKENS, ChannelType(), optional=True),
            "loss_mask": NeuralType(_TOKENS, ChannelType(), optional=True),
        }

    @property
    def output_ports(self):
        return {"loss": NeuralType(elements_type=LossType())}

    def _loss_function(self, logits, labels, input_mask=None, loss_mask=None):
        mask = input_mask if loss_mask is None else (loss_mask if input_mask is None else input_mask * loss_mask)
        return masked_cross_entropy(logits, labels, mask, self._class_weights)


class MaskedLanguageModelingLossNM(LossNM):
    """Cross entropy of the masked positions' predictions.

    Input ports: ``logits`` (B, T, V), ``output_ids`` (B, T), ``output_mask`` (B, T).
    Output port: ``loss``.
    """

    @property
    def input_ports(self):
        return {
            "logits": NeuralType(_TOKENS + ("D",), LogitsType()),
            "output_ids": NeuralType(_TOKENS, LabelsType()),
            "output_mask": NeuralType(_TOKENS, ChannelType()),
        }

    @property
    def output_ports(self):
        return {"loss": NeuralType(elements_type=LossType())}

    def _loss_function(self, logits, output_ids, output_mask):
        return masked_cross_entropy(logits, output_ids, output_mask)


class JointIntentSlotLoss(LossNM):
    """``intent_loss_weight`` × intent cross entropy + the rest × slot cross entropy (over ``loss_mask``).

    Input ports: ``intent_logits`` (B, I), ``slot_logits`` (B, T, S), ``loss_mask``
    (B, T), ``intents`` (B), ``slots`` (B, T). Output port: ``loss``.
    """

    def __init__(self, num_slots, slot_classes_loss_weights=None, intent_classes_loss_weights=None,
                 intent_loss_weight=0.6, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        if not 0.0 <= intent_loss_weight <= 1.0:
            raise ValueError(f"{self.name}: intent_loss_weight must be in [0, 1], got {intent_loss_weight}")
        self._num_slots = num_slots
        self._intent_weight = intent_loss_weight
        self.register_buffer("_slot_weights", _class_weights(slot_classes_loss_weights), persistent=False)
        self.register_buffer("_intent_weights", _class_weights(intent_classes_loss_weights), persistent=False)

    @property
    def input_ports(self):
        return {
            "intent_logits": NeuralType(("B", "D"), LogitsType()),
            "slot_logits": NeuralType(_TOKENS + ("D",), LogitsType()),
            "loss_mask": NeuralType(_TOKENS, ChannelType()),
            "intents": NeuralType(tuple("B"), LabelsType()),
            "slots": NeuralType(_TOKENS, LabelsType()),
        }

    @property
    def output_ports(self):
        return {"loss": NeuralType(elements_type=LossType())}

    def _loss_function(self, intent_logits, slot_logits, loss_mask, intents, slots):
        intent_loss = masked_cross_entropy(intent_logits, intents, None, self._intent_weights)
        slot_loss = masked_cross_entropy(slot_logits, slots, loss_mask, self._slot_weights)
        return self._intent_weight * intent_loss + (1.0 - self._intent_weight) * slot_loss
