"""Tacotron 2 losses: mel + stop-gate loss, and the optional guided-attention loss."""
from torch.nn import functional as F

from nemo.backends.pytorch import LossNM
from nemo.core.neural_types import ChannelType, LengthsType, LogitsType, LossType, MelSpectrogramType, NeuralType

from .parts.alignment import guided_attention_penalty
from .parts.layers import lengths_to_mask

__all__ = ["Tacotron2Loss", "GuidedAttentionLoss"]

MEL = NeuralType(("B", "D", "T"), MelSpectrogramType())
LENGTHS = NeuralType(tuple("B"), LengthsType())
GATE_PAD_LOGIT = 1e3  # a predicted gate padded to the target length says "stopped"


def _fit_length(x, length, value):
    """Cut or pad (with ``value``) the last axis of ``x`` to ``length``."""
    if x.shape[-1] >= length:
        return x[..., :length]
    return F.pad(x, (0, length - x.shape[-1]), value=value)


class Tacotron2Loss(LossNM):
    """MSE of the decoder and postnet mels against the target over valid frames, plus the
    binary cross-entropy of the gate logits over all frames of the batch.

    Predictions longer than the target are cut, shorter ones padded (mels with ``pad_value``,
    gates with a "stop" logit), so free-running outputs can be scored too.

    Input ports: ``mel_out``, ``mel_out_postnet``, ``mel_target`` (B, n_mel, T); ``gate_out``,
    ``gate_target`` (B, T); ``target_len`` (B,); ``seq_len`` (B,, optional, unused: legacy port).
    Output port: ``loss``.
    """

    def __init__(self, pad_value=-11.52, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.pad_value = pad_value

    @property
    def input_ports(self):
        return {
            "mel_out": MEL,
            "mel_out_postnet": MEL,
            "gate_out": NeuralType(("B", "T"), LogitsType()),
            "mel_target": MEL,
            "gate_target": NeuralType(("B", "T"), LogitsType()),
            "target_len": LENGTHS,
            "seq_len": NeuralType(tuple("B"), LengthsType(), optional=True),
        }

    @property
    def output_ports(self):
        return {"loss": NeuralType(elements_type=LossType())}

    def _loss_function(self, mel_out, mel_out_postnet, gate_out, mel_target, gate_target, target_len, seq_len=None):
        frames = mel_target.shape[2]
        valid = lengths_to_mask(target_len.to(mel_target.device), frames)[:, None, :].to(mel_target.dtype)
        count = valid.sum().clamp(min=1) * mel_target.shape[1]
        mel_loss = mel_target.new_zeros(())
        for prediction in (mel_out, mel_out_postnet):
            error = _fit_length(prediction, frames, self.pad_value) - mel_target
            mel_loss = mel_loss + (error.pow(2) * valid).sum() / count
        gate = _fit_length(gate_out, frames, GATE_PAD_LOGIT)
        return mel_loss + F.binary_cross_entropy_with_logits(gate, gate_target.to(gate.dtype))


class GuidedAttentionLoss(LossNM):
    """Guided attention (Tachibana et al. 2017): penalises attention far from the diagonal,
    ``loss_weight * mean_s sum_n A[s, n] (1 - exp(-(n/N - s/S)^2 / (2 sigma^2)))`` over valid cells.

    Input ports: ``alignments`` (B, steps, T_in), ``encoded_length`` (B,) symbols,
    ``target_len`` (B,) mel frames (steps = ceil(frames / n_frames_per_step)).
    Output port: ``loss``.
    """

    def __init__(self, sigma=0.2, loss_weight=1.0, n_frames_per_step=1, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.sigma = sigma
        self.loss_weight = loss_weight
        self.n_frames_per_step = n_frames_per_step

    @property
    def input_ports(self):
        return {"alignments": NeuralType(("B", "T", "T"), ChannelType()), "encoded_length": LENGTHS,
                "target_len": LENGTHS}

    @property
    def output_ports(self):
        return {"loss": NeuralType(elements_type=LossType())}

    def _loss_function(self, alignments, encoded_length, target_len):
        device = alignments.device
        penalty = guided_attention_penalty(alignments, encoded_length.to(device), target_len.to(device),
                                           self.n_frames_per_step, self.sigma)
        return self.loss_weight * penalty
