"""Tacotron 2 losses on padded batches, guided attention and the diagonal share."""

import math

import torch

import nemo_tts
from nemo_tts.parts.alignment import diagonal_share, guided_attention_penalty

PAD = -11.52


def _batch():
    torch.manual_seed(0)
    target = torch.randn(2, 4, 6)
    target[1, :, 4:] = PAD
    lengths = torch.tensor([6, 4])
    gate_target = nemo_tts.MakeGate()(lengths, target)
    return target, lengths, gate_target


def test_perfect_mels_leave_only_the_gate_loss_and_padding_is_ignored():
    loss = nemo_tts.Tacotron2Loss(pad_value=PAD)
    target, lengths, gate_target = _batch()
    gate = (gate_target * 2 - 1) * 30.0  # confident and right
    prediction = target.clone()
    prediction[1, :, 4:] = 123.0  # whatever the model says in the padding does not count
    value = loss(mel_out=prediction, mel_out_postnet=prediction, gate_out=gate, mel_target=target,
                 gate_target=gate_target, target_len=lengths)
    assert float(value) < 1e-6


def test_mel_loss_is_the_mean_squared_error_over_valid_frames():
    loss = nemo_tts.Tacotron2Loss(pad_value=PAD)
    target, lengths, gate_target = _batch()
    gate = (gate_target * 2 - 1) * 30.0
    value = loss(mel_out=target + 1.0, mel_out_postnet=target + 2.0, gate_out=gate, mel_target=target,
                 gate_target=gate_target, target_len=lengths)
    assert math.isclose(float(value), 1.0 + 4.0, rel_tol=1e-5)


def test_longer_predictions_are_cut_and_shorter_ones_padded():
    loss = nemo_tts.Tacotron2Loss(pad_value=PAD)
    target, lengths, gate_target = _batch()
    gate = (gate_target * 2 - 1) * 30.0
    longer = torch.cat([target, torch.full((2, 4, 3), 7.0)], dim=2)
    longer_gate = torch.cat([gate, torch.full((2, 3), -30.0)], dim=1)
    value = loss(mel_out=longer, mel_out_postnet=longer, gate_out=longer_gate, mel_target=target,
                 gate_target=gate_target, target_len=lengths)
    assert float(value) < 1e-6
    shorter = target[:, :, :4]
    value = loss(mel_out=shorter, mel_out_postnet=shorter, gate_out=gate[:, :4], mel_target=target,
                 gate_target=gate_target, target_len=lengths)
    # Item 0 lost frames 4..5: mels padded with PAD give (target - PAD)^2 over the 10 valid frames x 4 bins,
    # gates padded with a "stop" logit of 1000 cost 1000 at its frame 4 (target 0), over 12 gate frames.
    expected = 2 * float((target[0, :, 4:] - PAD).pow(2).sum()) / (10 * 4) + 1000.0 / 12
    assert math.isclose(float(value), expected, rel_tol=1e-4)


def _diagonal(steps, symbols):
    rows = torch.zeros(steps, symbols)
    for s in range(steps):
        rows[s, min(symbols - 1, int((s + 0.5) * symbols / steps))] = 1.0
    return rows


def test_guided_attention_prefers_the_diagonal():
    lengths_sym, lengths_frames = torch.tensor([10]), torch.tensor([40])  # 20 steps at r=2
    diagonal = _diagonal(20, 10)[None]
    anti = diagonal.flip(1)
    assert float(guided_attention_penalty(diagonal, lengths_sym, lengths_frames, 2, 0.2)) < 0.05
    assert float(guided_attention_penalty(anti, lengths_sym, lengths_frames, 2, 0.2)) > 0.5
    assert math.isclose(float(diagonal_share(diagonal, lengths_sym, lengths_frames, 2)), 1.0)
    assert float(diagonal_share(anti, lengths_sym, lengths_frames, 2)) < 0.3
    module = nemo_tts.GuidedAttentionLoss(sigma=0.2, loss_weight=3.0, n_frames_per_step=2)
    expected = 3.0 * float(guided_attention_penalty(anti, lengths_sym, lengths_frames, 2, 0.2))
    assert math.isclose(float(module(alignments=anti, encoded_length=lengths_sym, target_len=lengths_frames)),
                        expected, rel_tol=1e-6)


def test_guided_attention_ignores_padded_steps_and_symbols():
    diagonal = _diagonal(5, 4)
    padded = torch.zeros(2, 8, 6)
    padded[0, :5, :4] = diagonal
    padded[0, 5:, :] = 1.0 / 6  # padding steps of item 0: must not count
    padded[1, :5, :4] = diagonal
    lengths_sym, lengths_frames = torch.tensor([4, 4]), torch.tensor([5, 5])
    alone = guided_attention_penalty(diagonal[None], lengths_sym[:1], lengths_frames[:1], 1, 0.2)
    assert torch.allclose(guided_attention_penalty(padded, lengths_sym, lengths_frames, 1, 0.2), alone)
