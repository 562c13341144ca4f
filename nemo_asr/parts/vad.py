"""Frame-level voice activity: sliding windows, smoothing, hysteresis, segments and their scores."""
import json
import os

import numpy as np
import torch

from nemo.utils.atomic import atomic_path


def sliding_windows(audio, sample_rate, window, shift):
    """``audio [T]`` zero-padded by half a window at both ends and cut into windows centred on
    the frames ``0, shift, 2*shift, ...`` → ``[N, window samples]``, N = ceil(duration / shift)."""
    width, hop = int(round(window * sample_rate)), int(round(shift * sample_rate))
    if width <= 0 or hop <= 0:
        raise ValueError(f"window ({window} s) and shift ({shift} s) must each be at least one sample")
    frames = max(1, -(-audio.shape[0] // hop))
    padded = torch.nn.functional.pad(audio, (width // 2, width - width // 2 + frames * hop))
    return padded.unfold(0, width, hop)[:frames]


def smooth(probs, frames, method="mean"):
    """``probs [N]`` smoothed by a centred moving ``mean`` or ``median`` over ``frames`` frames (odd)."""
    if frames <= 1:
        return probs
    if method not in ("mean", "median"):
        raise ValueError(f"smoothing method must be 'mean' or 'median', got {method!r}")
    half = frames // 2
    padded = torch.nn.functional.pad(probs[None, None], (half, half), mode="replicate")[0, 0]
    windows = padded.unfold(0, 2 * half + 1, 1)
    return windows.mean(dim=1) if method == "mean" else windows.median(dim=1).values


def hysteresis_segments(probs, shift, onset=0.5, offset=0.3, min_speech=0.0, min_silence=0.0):
    """Speech segments ``[(start, end)]`` in seconds from per-frame speech probabilities.

    Speech starts where the probability rises to ``onset`` and lasts until it falls below
    ``offset`` (``offset <= onset``). Frame ``i`` covers ``[(i - 0.5) * shift, (i + 0.5) * shift)``.
    Pauses shorter than ``min_silence`` are bridged, then segments shorter than ``min_speech`` dropped.
    """
    if not 0.0 <= offset <= onset <= 1.0:
        raise ValueError(f"thresholds need 0 <= offset <= onset <= 1, got onset={onset}, offset={offset}")
    segments, start, active = [], None, False
    values = probs.detach().cpu().tolist()
    for index, value in enumerate(values):
        if not active and value >= onset:
            active, start = True, index
        elif active and value < offset:
            active = False
            segments.append([start, index])
    if active:
        segments.append([start, len(values)])
    times = [[max(0.0, (s - 0.5) * shift), (e - 0.5) * shift] for s, e in segments]
    merged = []
    for seg in times:
        if merged and seg[0] - merged[-1][1] < min_silence:
            merged[-1][1] = seg[1]
        else:
            merged.append(seg)
    return [(round(s, 4), round(e, 4)) for s, e in merged if e - s >= min_speech]


def write_segments(segments_by_file, path, fmt=None):
    """Write ``{file_id: [(start, end), ...]}`` as RTTM (``SPEAKER id 1 start dur <NA> <NA> speech <NA> <NA>``)
    or JSON lines (``{"audio_filepath", "offset", "duration", "label": "speech"}``); the format comes from
    ``fmt`` or the extension (``.rttm``; anything else is JSON lines). Written atomically."""
    fmt = fmt or ("rttm" if path.endswith(".rttm") else "json")
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8") as handle:
        for file_id, segments in segments_by_file.items():
            for start, end in segments:
                if fmt == "rttm":
                    name = os.path.splitext(os.path.basename(file_id))[0]
                    handle.write(f"SPEAKER {name} 1 {start:.3f} {end - start:.3f} <NA> <NA> speech <NA> <NA>\n")
                else:
                    handle.write(json.dumps({"audio_filepath": file_id, "offset": round(start, 3),
                                             "duration": round(end - start, 3), "label": "speech"}) + "\n")


def read_segments(path):
    """``{file_id: [(start, end)]}`` from an RTTM file (file ids are the recording names) or JSON lines
    (ids are the ``audio_filepath`` base names without extension). Errors name the file and line."""
    segments = {}
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                if path.endswith(".rttm"):
                    fields = line.split()
                    name, start, duration = fields[1], float(fields[3]), float(fields[4])
                else:
                    record = json.loads(line)
                    name = os.path.splitext(os.path.basename(record["audio_filepath"]))[0]
                    start, duration = float(record.get("offset", 0.0)), float(record["duration"])
            except (IndexError, KeyError, ValueError) as err:
                raise ValueError(f"{path}:{number}: expected an RTTM SPEAKER line or a JSON line with "
                                 f"audio_filepath, offset, duration ({err})") from None
            segments.setdefault(name, []).append((start, start + duration))
    return segments


def segments_to_frames(segments, duration, resolution=0.01):
    """Boolean numpy mask of ``ceil(duration / resolution)`` frames, True inside any segment."""
    mask = np.zeros(int(np.ceil(duration / resolution)), dtype=bool)
    for start, end in segments:
        mask[int(round(start / resolution)): int(round(end / resolution))] = True
    return mask


def score_frames(reference, hypothesis):
    """Detection error rate ((missed + false alarm) / reference speech), precision, recall, F1
    and the missed / false-alarm frame counts of two equal-length boolean masks."""
    ref, hyp = np.asarray(reference, bool), np.asarray(hypothesis, bool)
    missed, false_alarm = int((ref & ~hyp).sum()), int((~ref & hyp).sum())
    hits, speech = int((ref & hyp).sum()), int(ref.sum())
    precision = hits / max(int(hyp.sum()), 1)
    recall = hits / max(speech, 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-12)
    return {"detection_error_rate": (missed + false_alarm) / max(speech, 1), "precision": precision,
            "recall": recall, "f1": f1, "missed_frames": missed, "false_alarm_frames": false_alarm}
