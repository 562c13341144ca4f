"""FastSpeech as neural modules: the network, its loss and the data layer with durations."""
import os

import numpy as np
import torch
from torch.nn import functional as F

from nemo.backends.pytorch import DataLayerNM, LossNM, TrainableNM
from nemo.core.neural_types import (
    AudioSignal,
    ChannelType,
    LabelsType,
    LengthsType,
    LossType,
    MelSpectrogramType,
    NeuralType,
)
from nemo_asr.parts.dataset import AudioDataset

from .parts.fastspeech import FastSpeechNet
from .parts.layers import lengths_to_mask

__all__ = ["FastSpeech", "FastSpeechLoss", "FastSpeechDataLayer"]

MEL = NeuralType(("B", "D", "T"), MelSpectrogramType())
LENGTHS = NeuralType(tuple("B"), LengthsType())
DURATIONS = NeuralType(("B", "T"), LengthsType())


class FastSpeech(TrainableNM):
    """Non-autoregressive text to mel: durations from the data (training) or predicted (inference,
    scaled by ``alpha``).

    Input ports: ``text`` (B, T_in), ``text_length`` (B,), ``dur_true`` (B, T_in, optional).
    Output ports: ``mel_pred`` (B, n_mels, T), ``dur_pred`` (B, T_in) log(1 + frames), ``mel_len`` (B,).
    """

    def __init__(self, n_src_vocab, pad_id, n_mels=80, decoder_output_size=384, encoder_n_layer=6, encoder_head=2,
                 encoder_conv1d_filter_size=1536, decoder_n_layer=6, decoder_head=2, decoder_conv1d_filter_size=1536,
                 fft_conv1d_kernel=3, duration_predictor_filter_size=256, duration_predictor_kernel_size=3,
                 dropout=0.1, alpha=1.0, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.net = FastSpeechNet(n_src_vocab, pad_id, n_mels, decoder_output_size, encoder_n_layer, encoder_head,
                                 encoder_conv1d_filter_size, decoder_n_layer, decoder_head,
                                 decoder_conv1d_filter_size, fft_conv1d_kernel, duration_predictor_filter_size,
                                 duration_predictor_kernel_size, dropout, alpha)

    @property
    def input_ports(self):
        return {"text": NeuralType(("B", "T"), LabelsType()), "text_length": LENGTHS,
                "dur_true": NeuralType(("B", "T"), LengthsType(), optional=True)}

    @property
    def output_ports(self):
        return {"mel_pred": MEL, "dur_pred": NeuralType(("B", "T"), ChannelType()), "mel_len": LENGTHS}

    def forward(self, text, text_length, dur_true=None):
        return self.net(text, text_length, dur_true)


class FastSpeechLoss(LossNM):
    """MSE of the mels over valid frames plus MSE of log(1 + durations) over valid symbols.

    Input ports: ``mel_true``, ``mel_pred`` (B, n_mels, T), ``mel_len`` (B,) target frames,
    ``dur_true`` (B, T_in), ``dur_pred`` (B, T_in), ``text_length`` (B,). Output port: ``loss``.
    """

    @property
    def input_ports(self):
        return {"mel_true": MEL, "mel_pred": MEL, "mel_len": LENGTHS, "dur_true": DURATIONS,
                "dur_pred": NeuralType(("B", "T"), ChannelType()), "text_length": LENGTHS}

    @property
    def output_ports(self):
        return {"loss": NeuralType(elements_type=LossType())}

    def _loss_function(self, mel_true, mel_pred, mel_len, dur_true, dur_pred, text_length):
        frames = mel_true.shape[2]
        mel_pred = mel_pred[:, :, :frames] if mel_pred.shape[2] >= frames else F.pad(
            mel_pred, (0, frames - mel_pred.shape[2]))
        valid = lengths_to_mask(mel_len.to(mel_true.device), frames)[:, None, :].to(mel_true.dtype)
        mel_loss = ((mel_pred - mel_true).pow(2) * valid).sum() / (valid.sum() * mel_true.shape[1]).clamp(min=1)
        symbols = lengths_to_mask(text_length.to(dur_pred.device), dur_pred.shape[1]).to(dur_pred.dtype)
        target = torch.log1p(dur_true.to(dur_pred.dtype))
        dur_loss = ((dur_pred - target).pow(2) * symbols).sum() / symbols.sum().clamp(min=1)
        return mel_loss + dur_loss


class _DurationDataset(torch.utils.data.Dataset):
    """An :class:`AudioDataset` whose items also carry per-symbol durations from ``<durs_dir>/<stem>.npy``."""

    def __init__(self, audio_dataset, durs_dir):
        self.audio_dataset = audio_dataset
        self.durs_dir = durs_dir

    def __len__(self):
        return len(self.audio_dataset)

    def __getitem__(self, index):
        item = self.audio_dataset[index]
        entry = self.audio_dataset.entries[index]
        path = os.path.join(self.durs_dir, os.path.splitext(os.path.basename(entry.audio_filepath))[0] + ".npy")
        if not os.path.isfile(path):
            raise FileNotFoundError(f"durations for {entry.source} not found: {path} "
                                    "(extract them with examples/tts/fastspeech_durations.py)")
        durations = torch.from_numpy(np.load(path).astype(np.int64))
        if durations.shape[0] != int(item[3]):
            raise ValueError(f"{path}: {durations.shape[0]} durations for {int(item[3])} symbols of {entry.source}")
        return item + (durations,)

    def collate_fn(self, batch):
        padded = self.audio_dataset.collate_fn([item[:4] for item in batch])
        durations = torch.zeros(len(batch), padded[2].shape[1], dtype=torch.int64)
        for row, item in enumerate(batch):
            durations[row, : item[4].shape[0]] = item[4]
        return padded + (durations,)


class FastSpeechDataLayer(DataLayerNM):
    """Speech, symbols and the frames each symbol lasts (from ``durs_dir``), for FastSpeech training.

    Output ports: ``audio`` (B, T), ``audio_len`` (B,), ``text`` (B, T_in), ``text_length`` (B,),
    ``dur_true`` (B, T_in).
    """

    def __init__(self, manifest_filepath, durs_dir, labels, batch_size, sample_rate=22050, bos_id=None, eos_id=None,
                 pad_id=0, min_duration=0.1, max_duration=None, normalize_transcripts=False, trim_silence=False,
                 drop_last=False, shuffle=True, num_workers=None, name=None, **kwargs):
        super().__init__(name=name, batch_size=batch_size, shuffle=shuffle, num_workers=num_workers,
                         drop_last=drop_last, **kwargs)
        self._sample_rate = sample_rate
        audio = AudioDataset(manifest_filepath=manifest_filepath, labels=labels, sample_rate=sample_rate,
                             bos_id=bos_id, eos_id=eos_id, pad_id=pad_id, min_duration=min_duration,
                             max_duration=max_duration, normalize_transcripts=normalize_transcripts,
                             trim_silence=trim_silence, feature_hop=None)
        self._dataset = _DurationDataset(audio, durs_dir)

    @property
    def output_ports(self):
        return {"audio": NeuralType(("B", "T"), AudioSignal(freq=self._sample_rate)), "audio_len": LENGTHS,
                "text": NeuralType(("B", "T"), LabelsType()), "text_length": LENGTHS, "dur_true": DURATIONS}

    @property
    def dataset(self):
        return self._dataset
