"""Long recordings in overlapping windows: plan the windows, merge their CTC frames, time the words.

Each output frame of the whole recording is taken from the window where it lies farthest from an
edge (the middle of each overlap is the cut), so every frame is decoded exactly once: no word is
duplicated or dropped at a window boundary as long as a word is shorter than the overlap.
"""
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Word:
    """A recognised word and its start/end in seconds."""

    word: str
    start: float
    end: float


def plan_windows(num_samples, window, overlap):
    """``[(start, end), ...]`` sample ranges of ``window`` samples advancing by ``window - overlap``."""
    if not 0 <= overlap < window:
        raise ValueError(f"the overlap ({overlap} samples) must be shorter than the window ({window} samples)")
    if num_samples <= window:
        return [(0, num_samples)]
    step = window - overlap
    starts = list(range(0, num_samples - window, step)) + [num_samples - window]
    return [(start, start + window) for start in dict.fromkeys(starts)]


def merge_windows(windows, window_log_probs, samples_per_frame, total_frames):
    """One ``[total_frames, C]`` log-prob matrix from per-window matrices (window ``k`` covers samples
    ``windows[k]`` and has frames at ``samples_per_frame`` spacing from its start)."""
    merged = None
    # Cut points: midway through each overlap, in output frames.
    cuts = [0]
    for (_, prev_end), (next_start, _) in zip(windows, windows[1:]):
        cuts.append(int(round((prev_end + next_start) / 2 / samples_per_frame)))
    cuts.append(total_frames)
    for (start, _), log_probs, low, high in zip(windows, window_log_probs, cuts, cuts[1:]):
        if merged is None:
            merged = np.empty((total_frames, log_probs.shape[1]), dtype=log_probs.dtype)
        offset = int(round(start / samples_per_frame))
        take = log_probs[low - offset: high - offset]
        merged[low: low + len(take)] = take
        if low + len(take) < high:  # the window ended a frame early (rounding): repeat its last frame
            merged[low + len(take): high] = log_probs[-1]
    return merged


def greedy_words(log_probs, labels, seconds_per_frame):
    """Greedy CTC words of ``log_probs`` [T, C] (blank last) with start/end times from their frames."""
    ids = log_probs.argmax(axis=1)
    blank, space = len(labels), labels.index(" ") if " " in labels else None
    words, chars, first, last, previous = [], [], None, None, None
    for frame, token in enumerate(ids.tolist()):
        if token == previous:
            if token != blank and token != space:
                last = frame
            continue
        previous = token
        if token == blank:
            continue
        if token == space:
            if chars:
                words.append(Word("".join(chars), first * seconds_per_frame, (last + 1) * seconds_per_frame))
            chars, first = [], None
            continue
        chars.append(labels[token])
        first = frame if first is None else first
        last = frame
    if chars:
        words.append(Word("".join(chars), first * seconds_per_frame, (last + 1) * seconds_per_frame))
    return words


def beam_words(frames_of_words, seconds_per_frame):
    """Words with times from pyctcdecode's ``[(word, (start_frame, end_frame)), ...]``."""
    return [Word(word, start * seconds_per_frame, end * seconds_per_frame) for word, (start, end) in frames_of_words]


def speech_segments(log_probs, min_pause_frames):
    """``[(start, end), ...]`` frame ranges separated by runs of at least ``min_pause_frames`` frames whose
    best class is the blank (the last); models trained on single utterances rarely emit a space at a
    pause, so each range is decoded on its own."""
    blank = log_probs.shape[1] - 1
    speech = log_probs.argmax(axis=1) != blank
    segments, start, last = [], None, None
    for frame in np.flatnonzero(speech).tolist():
        if start is None:
            start = frame
        elif frame - last > min_pause_frames:
            segments.append((start, last + 1))
            start = frame
        last = frame
    if start is not None:
        segments.append((start, last + 1))
    return segments
