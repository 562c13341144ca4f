"""The ASR mel front end with the TTS options, the data path and Griffin-Lim vocoding."""

import os

import numpy as np
import torch

import nemo_asr
from nemo_tts.helpers import MelSettings

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
SLT = os.path.join(ROOT, "tests", "data", "tts_slt")
TTS_MEL = dict(sample_rate=22050, n_window_size=1024, n_window_stride=256, window_size=None, window_stride=None,
               n_fft=1024, features=80, highfreq=8000, normalize=None, dither=0.0, preemph=None,
               feat_type="logfbank", mag_power=1.0, log_zero_guard_type="clamp", log_zero_guard_value=1e-5,
               pad_value=-11.52, pad_to=16)


def _slt_batch(count=2):
    layer = nemo_asr.AudioToTextDataLayer(
        manifest_filepath=os.path.join(SLT, "val_manifest.json"), labels=list(" ,.'?:-") + [chr(c) for c in
                                                                                           range(65, 123)],
        batch_size=count, sample_rate=22050, normalize_transcripts=False, shuffle=False)
    dataset = layer.dataset
    return dataset.collate_fn([dataset[i] for i in range(count)])


def test_padded_frames_hold_pad_value_and_valid_frames_match_alone():
    audio, audio_len, _, _ = _slt_batch()
    prep = nemo_asr.AudioToMelSpectrogramPreprocessor(**TTS_MEL)
    mel, mel_len = prep(audio, audio_len)
    assert mel.shape[1] == 80 and mel.shape[2] % 16 == 0
    assert mel_len.tolist() == [int(n) // 256 + 1 for n in audio_len]
    short = int(torch.argmin(mel_len))
    assert torch.all(mel[short, :, mel_len[short]:] == -11.52)
    alone, _ = prep(audio[short: short + 1, : audio_len[short]], audio_len[short: short + 1])
    assert torch.allclose(alone[0, :, : mel_len[short]], mel[short, :, : mel_len[short]], atol=1e-4)
    # The clamp guard: silence is log(1e-5) = -11.51 in valid frames.
    assert all(float(mel[b, :, : mel_len[b]].min()) >= np.log(1e-5) - 1e-4 for b in range(2))


def test_feat_type_fbank_gives_mel_magnitudes_and_logfbank_their_log():
    audio, audio_len, _, _ = _slt_batch(1)
    log_mel, n = nemo_asr.AudioToMelSpectrogramPreprocessor(**TTS_MEL)(audio, audio_len)
    params = dict(TTS_MEL, feat_type="fbank", pad_value=0.0)
    mel, _ = nemo_asr.AudioToMelSpectrogramPreprocessor(**params)(audio, audio_len)
    assert torch.allclose(torch.log(mel[..., : n[0]].clamp(min=1e-5)), log_mel[..., : n[0]], atol=1e-4)


def test_normalize_transcripts_false_keeps_punctuation():
    layer = nemo_asr.AudioToTextDataLayer(manifest_filepath=os.path.join(SLT, "val_manifest.json"),
                                          labels=list(" ,.'?:-abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"),
                                          batch_size=1, sample_rate=22050, normalize_transcripts=False)
    labels = layer.dataset.labels
    text = "".join(labels[i] for i in layer.dataset.tokens[1].tolist())
    assert text.endswith("goto?")


def test_griffin_lim_gives_frames_times_hop_samples_of_the_same_spectrum():
    audio, audio_len, _, _ = _slt_batch(1)
    prep = nemo_asr.AudioToMelSpectrogramPreprocessor(**dict(TTS_MEL, pad_to=0))
    mel, mel_len = prep(audio, audio_len)
    settings = MelSettings(**TTS_MEL)
    wave = settings.griffin_lim(mel[0], n_iters=8)
    assert wave.shape == (mel.shape[2] * 256,)
    again, _ = prep(torch.from_numpy(wave)[None], torch.tensor([wave.shape[0]]))
    # The mel envelope survives the trip (phase is estimated, so only roughly).
    valid = mel[0, :, : mel_len[0] - 2]
    error = (again[0, :, : mel_len[0] - 2] - valid).abs().mean()
    assert float(error) < 1.5, float(error)
    frames = int(mel_len[0]) - 10
    assert float(np.corrcoef(again[0, :, 10:frames].flatten(), mel[0, :, 10:frames].flatten())[0, 1]) > 0.9
