"""Cut speech clips and background noise into fixed windows labelled 'speech' / 'background' for VAD training.

    python scripts/process_vad_data.py --speech_manifest data/sc_v1/train_manifest.json \\
        --background_dir data/speech_commands_v1/_background_noise_ --out_manifest data/vad/train_manifest.json

Each output line is a window of an original file (``audio_filepath``, ``offset``, ``duration``,
``label``); no audio is copied. Where the speech is inside a clip comes from its energy
(``librosa.effects.split`` with ``--top_db``); a window of a speech clip is 'speech' when at
least ``--speech_fraction`` of it is speech, 'background' otherwise. Every window of a
background file (optional: without one, the quiet parts of the clips are the background) is 'background'. With ``--val_ratio`` a shuffled share of the windows (seeded
by ``--seed``) goes to ``<out_manifest stem>_val.json``.
"""

import argparse
import glob
import json
import os

import librosa
import numpy as np
import soundfile as sf

from nemo.utils.atomic import atomic_path
from nemo_asr.parts.manifest import read_manifest

AUDIO_EXTENSIONS = (".wav", ".flac", ".ogg")


def speech_intervals(path, sample_rate, top_db):
    """Seconds ``[(start, end)]`` of the clip that are within ``top_db`` of its loudest frame."""
    audio, rate = sf.read(path, dtype="float32", always_2d=True)
    audio = audio.mean(axis=1)
    if rate != sample_rate:
        audio = librosa.resample(audio, orig_sr=rate, target_sr=sample_rate)
    return [(s / sample_rate, e / sample_rate) for s, e in librosa.effects.split(audio, top_db=top_db)]


def window_starts(duration, window, shift):
    """Window starts covering ``duration``; a clip shorter than a window gives one window at 0."""
    if duration <= window:
        return [0.0]
    count = int(np.floor((duration - window) / shift)) + 1
    return [round(i * shift, 4) for i in range(count)]


def speech_windows(path, duration, window, shift, intervals, speech_fraction):
    lines = []
    for start in window_starts(duration, window, shift):
        end = min(start + window, duration)
        covered = sum(max(0.0, min(end, e) - max(start, s)) for s, e in intervals)
        label = "speech" if covered >= speech_fraction * (end - start) else "background"
        lines.append({"audio_filepath": path, "offset": start, "duration": round(end - start, 4), "label": label})
    return lines


def background_windows(path, window, shift):
    duration = sf.info(path).duration
    return [{"audio_filepath": path, "offset": start, "duration": round(min(window, duration - start), 4),
             "label": "background"} for start in window_starts(duration, window, shift)]


def write_manifest(path, lines):
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8") as handle:
        for line in lines:
            handle.write(json.dumps(line) + "\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--speech_manifest", required=True, help="manifest(s) of speech clips, comma-separated")
    parser.add_argument("--background_dir", default=None, help="folder of background noise files")
    parser.add_argument("--background_manifest", default=None, help="manifest(s) of background noise files")
    parser.add_argument("--out_manifest", required=True)
    parser.add_argument("--window", type=float, default=0.63, help="window length in seconds")
    parser.add_argument("--shift", type=float, default=0.1, help="window shift in speech clips, seconds")
    parser.add_argument("--background_shift", type=float, default=None, help="shift in noise files (default: window)")
    parser.add_argument("--top_db", type=float, default=30.0, help="speech is within this many dB of the peak")
    parser.add_argument("--speech_fraction", type=float, default=0.5, help="share of a 'speech' window that is speech")
    parser.add_argument("--sample_rate", type=int, default=16000)
    parser.add_argument("--val_ratio", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.background_dir and not os.path.isdir(args.background_dir):
        parser.error(f"--background_dir {args.background_dir} is not a folder")

    lines = []
    for entry in read_manifest(args.speech_manifest, text_key="audio_filepath"):
        intervals = speech_intervals(entry.audio_filepath, args.sample_rate, args.top_db)
        lines += speech_windows(entry.audio_filepath, entry.duration, args.window, args.shift, intervals,
                                args.speech_fraction)
    noise_files = []
    if args.background_dir:
        noise_files += sorted(p for p in glob.glob(os.path.join(args.background_dir, "*"))
                              if p.lower().endswith(AUDIO_EXTENSIONS))
    if args.background_manifest:
        noise_files += [e.audio_filepath for e in read_manifest(args.background_manifest, text_key="audio_filepath")]
    if (args.background_dir or args.background_manifest) and not noise_files:
        parser.error("no background audio files found")
    for path in noise_files:
        lines += background_windows(path, args.window, args.background_shift or args.window)

    order = np.random.default_rng(args.seed).permutation(len(lines))
    lines = [lines[i] for i in order]
    n_val = int(round(args.val_ratio * len(lines)))
    write_manifest(args.out_manifest, lines[n_val:])
    if n_val:
        write_manifest(os.path.splitext(args.out_manifest)[0] + "_val.json", lines[:n_val])
    counts = {label: sum(line["label"] == label for line in lines) for label in ("speech", "background")}
    print(f"{len(lines)} windows of {args.window} s ({counts['speech']} speech, {counts['background']} background): "
          f"{args.out_manifest}" + (f" and {n_val} for validation" if n_val else ""))


if __name__ == "__main__":
    main()
