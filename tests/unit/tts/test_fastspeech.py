"""FastSpeech: length regulation, loss on padded batches, durations from alignments, the data layer."""

import math
import os

import numpy as np
import torch

import nemo_tts
from nemo_tts.parts.fastspeech import durations_from_alignment, regulate_length

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
SLT = os.path.join(ROOT, "tests", "data", "tts_slt")
SMALL = dict(n_mels=8, decoder_output_size=16, encoder_n_layer=1, decoder_n_layer=1, encoder_conv1d_filter_size=32,
             decoder_conv1d_filter_size=32, duration_predictor_filter_size=16)


def test_length_regulator_repeats_each_symbol_for_its_frames():
    x = torch.tensor([[[1.0], [2.0], [3.0]], [[4.0], [5.0], [0.0]]])
    out, lengths = regulate_length(x, torch.tensor([[2, 0, 3], [1, 2, 0]]))
    assert lengths.tolist() == [5, 3]
    assert out[..., 0].tolist() == [[1, 1, 3, 3, 3], [4, 5, 5, 0, 0]]


def test_fastspeech_uses_given_durations_in_training_and_predicted_ones_in_inference():
    torch.manual_seed(0)
    model = nemo_tts.FastSpeech(n_src_vocab=10, pad_id=9, **SMALL)
    text, text_len = torch.tensor([[1, 2, 3], [4, 5, 9]]), torch.tensor([3, 2])
    mel, log_dur, mel_len = model(text=text, text_length=text_len, dur_true=torch.tensor([[2, 1, 3], [1, 4, 0]]))
    assert mel.shape == (2, 8, 6) and log_dur.shape == (2, 3) and mel_len.tolist() == [6, 5]
    assert log_dur[1, 2] == 0  # padded symbol
    with torch.no_grad():
        model.net.duration_predictor.linear.weight.zero_()
        model.net.duration_predictor.linear.bias.fill_(math.log(1 + 3))  # every symbol: 3 frames
    model.eval()
    mel, _, mel_len = model(text=text, text_length=text_len)
    assert mel_len.tolist() == [9, 6] and mel.shape[2] == 9


def test_loss_ignores_padding_and_is_zero_for_perfect_predictions():
    loss = nemo_tts.FastSpeechLoss()
    mel = torch.randn(2, 4, 5)
    durations = torch.tensor([[2, 3], [1, 0]])
    log_dur = torch.log1p(durations.float())
    prediction = mel.clone()
    prediction[1, :, 1:] = 99.0  # item 1 has one frame
    value = loss(mel_true=mel, mel_pred=prediction, mel_len=torch.tensor([5, 1]), dur_true=durations,
                 dur_pred=log_dur, text_length=torch.tensor([2, 1]))
    assert float(value) < 1e-9
    value = loss(mel_true=mel, mel_pred=mel + 1.0, mel_len=torch.tensor([5, 1]), dur_true=durations,
                 dur_pred=log_dur + 2.0, text_length=torch.tensor([2, 1]))
    assert math.isclose(float(value), 1.0 + 4.0, rel_tol=1e-5)


def test_durations_from_alignment_sum_to_the_frames():
    alignment = torch.zeros(4, 3)
    alignment[[0, 1, 2, 3], [0, 1, 1, 2]] = 1.0
    assert durations_from_alignment(alignment, frames=11, n_frames_per_step=3).tolist() == [3, 6, 2]


def test_data_layer_reads_durations_and_checks_their_count(tmp_path):
    labels = list(" ,.'?:-abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    layer = nemo_tts.FastSpeechDataLayer(manifest_filepath=os.path.join(SLT, "val_manifest.json"),
                                         durs_dir=str(tmp_path), labels=labels, batch_size=2, sample_rate=22050,
                                         bos_id=len(labels), eos_id=len(labels) + 1, pad_id=len(labels) + 2)
    dataset = layer.dataset
    for index in range(2):
        stem = os.path.splitext(os.path.basename(dataset.audio_dataset.entries[index].audio_filepath))[0]
        count = dataset.audio_dataset.tokens[index].shape[0]
        np.save(tmp_path / f"{stem}.npy", np.arange(count))
    audio, audio_len, text, text_len, durations = dataset.collate_fn([dataset[0], dataset[1]])
    assert durations.shape == text.shape and durations[0, : int(text_len[0])].tolist() == list(range(int(text_len[0])))
    np.save(tmp_path / f"{stem}.npy", np.arange(3))
    try:
        dataset[1]
    except ValueError as err:
        assert "3 durations" in str(err)
    else:
        raise AssertionError("a wrong number of durations must be an error")
