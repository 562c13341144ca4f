"""In-memory data layer, window planning/merging for long audio, word times from CTC frames, Transcriber."""
import os

import numpy as np
import pytest
import torch

import nemo
import nemo_asr
from nemo_asr.parts.audio import load_audio
from nemo_asr.parts.long_audio import greedy_words, merge_windows, plan_windows, speech_segments
from nemo_asr.transcriber import Transcriber

AN4 = os.path.join(os.path.dirname(__file__), "..", "..", "data", "an4")
WAVS = [os.path.join(AN4, "wav", name) for name in ("an46-mmap-b.wav", "an298-fsaf2-b.wav", "an357-mscg2-b.wav")]
LABELS = list(" abcdefghijklmnopqrstuvwxyz'")


def _spelled(text, frames_per_char=4, gap=0):
    """One-hot-ish log-probs spelling ``text`` with blanks between characters and ``gap`` blank frames between words."""
    rows = []
    blank = len(LABELS)
    for ch in text:
        ids = [blank] * gap if ch == " " else [LABELS.index(ch)] + [blank] * (frames_per_char - 1)
        if ch == " ":
            ids = [LABELS.index(" ")] + ids
        rows += ids
    probs = np.full((len(rows), len(LABELS) + 1), 0.01 / len(LABELS))
    probs[np.arange(len(rows)), rows] = 0.99
    return np.log(probs)


def test_windows_cover_the_audio():
    windows = plan_windows(100_000, 32_000, 8_000)
    assert windows[0] == (0, 32_000) and windows[-1][1] == 100_000
    assert all(b[0] < a[1] - 7_999 + 1 and b[0] > a[0] for a, b in zip(windows, windows[1:]))
    assert plan_windows(10, 32_000, 8_000) == [(0, 10)]
    with pytest.raises(ValueError, match="overlap"):
        plan_windows(100, 10, 10)


@pytest.mark.parametrize("window,overlap", [(160, 40), (200, 64), (97, 31)])
def test_merged_windows_reproduce_the_whole_without_duplicates(window, overlap):
    text = "one two three four five six seven eight nine ten eleven twelve"
    whole = _spelled(text, gap=3)
    spf = 2  # samples per output frame
    num_samples = len(whole) * spf
    windows = plan_windows(num_samples, window, overlap)
    assert len(windows) > 3
    # Each window sees its own frames; its inner edges are corrupted (edge effects).
    outputs = []
    for k, (start, end) in enumerate(windows):
        frames = whole[start // spf: end // spf].copy()
        if k > 0:
            frames[:3] = np.log(1.0 / frames.shape[1])
        if k < len(windows) - 1:
            frames[-3:] = np.log(1.0 / frames.shape[1])
        outputs.append(frames)
    merged = merge_windows(windows, outputs, spf, len(whole))
    words = [w.word for w in greedy_words(merged, LABELS, 0.02)]
    assert words == text.split()


def test_greedy_word_times_and_pause_segments():
    frames = _spelled("yes no", frames_per_char=5, gap=20)
    words = greedy_words(frames, LABELS, 0.02)
    assert [w.word for w in words] == ["yes", "no"]
    assert words[0].start == 0.0 and words[0].end == pytest.approx(11 * 0.02)
    assert words[1].start == pytest.approx((15 + 1 + 20) * 0.02)
    silence = np.full((30, len(LABELS) + 1), np.log(0.01 / len(LABELS)))
    silence[:, -1] = np.log(0.99)
    no_space = np.concatenate([_spelled("yes"), silence, _spelled("no")])  # y e s at 0 4 8; n o at 42 46
    assert speech_segments(no_space, 20) == [(0, 9), (42, 47)]
    assert speech_segments(no_space, 40) == [(0, 47)]


def test_in_memory_layer_matches_file_audio():
    arrays = [load_audio(path, 16000) for path in WAVS]
    nf = nemo.core.NeuralModuleFactory(placement=nemo.core.DeviceType.CPU)
    layer = nemo_asr.AudioInMemoryDataLayer(arrays, batch_size=2)
    audio, length = layer()
    values = nf.infer([audio, length])
    assert [int(n) for batch in values[1] for n in batch] == [len(a) for a in arrays]
    torch.testing.assert_close(values[0][0][0, : len(arrays[0])], torch.from_numpy(arrays[0]))

    def generate():
        yield from arrays
    streamed = nemo_asr.AudioInMemoryDataLayer(generate, batch_size=2)
    batches = list(streamed.data_iterator)
    assert [b[0].shape[0] for b in batches] == [2, 1] and list(streamed.data_iterator)  # called again per pass
    with pytest.raises(ValueError, match="item 0 must be a non-empty 1-D"):
        nemo_asr.AudioInMemoryDataLayer([np.zeros((2, 3))], batch_size=1)


def test_transcriber_windows_agree_with_one_pass_on_paths_and_arrays():
    torch.manual_seed(0)
    prep = nemo_asr.AudioToMelSpectrogramPreprocessor(features=32, normalize=None, dither=0.0)
    encoder = nemo_asr.JasperEncoder(feat_in=32, activation="relu", jasper=[
        {"filters": 32, "repeat": 1, "kernel": [11], "stride": [2], "dilation": [1], "dropout": 0.0, "residual": False},
        {"filters": 32, "repeat": 1, "kernel": [5], "stride": [1], "dilation": [1], "dropout": 0.0, "residual": False}])
    decoder = nemo_asr.JasperDecoderForCTC(feat_in=32, num_classes=len(LABELS))
    long = np.concatenate([load_audio(p, 16000) for p in WAVS * 3])  # 9 s
    one = Transcriber(prep, encoder, decoder, LABELS, window_s=100)
    windowed = Transcriber(prep, encoder, decoder, LABELS, window_s=2.0, overlap_s=0.8)
    assert one.seconds_per_frame == pytest.approx(0.02)
    frames_one, frames_win = one._frames(long), windowed._frames(long)
    assert frames_one.shape == frames_win.shape
    # away from window edges, the windowed frames are the one-pass frames (no normalisation, short receptive field)
    agree = np.isclose(frames_one, frames_win, atol=1e-4).all(axis=1).mean()
    assert agree > 0.9
    by_path = one.transcribe([WAVS[0]])[0]
    by_array = one.transcribe([load_audio(WAVS[0], 16000)])[0]
    assert by_path == by_array
    assert by_path.words and all(0 <= w.start < w.end <= 1.0 + 0.04 for w in by_path.words)  # 1 s file, 20 ms frames
