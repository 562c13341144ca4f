"""Google Speech Commands (v1 or v2 folder layout) → train / validation / test manifests.

    python scripts/process_speech_commands_data.py --data_root data/speech_commands_v1 --out_dir data/sc_v1
    python scripts/process_speech_commands_data.py --data_root data/speech_commands_v2 --out_dir data/sc_v2_sub \\
        --class_split sub

The data set has one folder per word, ``validation_list.txt`` and ``testing_list.txt`` (paths
relative to the root; every other clip is training data) and ``_background_noise_``.
``--class_split all`` keeps every word as its own class; ``sub`` keeps the ten commands (yes, no,
up, down, left, right, on, off, stop, go), maps the other words to ``unknown`` and adds a
``silence`` class of one-second windows of the background noise (as many per split as the
average command class). Lines: ``audio_filepath`` (absolute), ``duration``, ``label``; silence
windows carry an ``offset``. Random choices use ``--seed``.
"""

import argparse
import glob
import json
import os

import numpy as np
import soundfile as sf

from nemo.utils.atomic import atomic_path

COMMANDS = ["yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go"]
NOISE = "_background_noise_"


def read_list(root, name):
    path = os.path.join(root, name)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{path} not found: is --data_root a Speech Commands folder?")
    with open(path, encoding="utf-8") as handle:
        return {line.strip() for line in handle if line.strip()}


def clips_by_split(root):
    """``{split: [(relative path, word)]}`` following the validation/testing lists."""
    validation, testing = read_list(root, "validation_list.txt"), read_list(root, "testing_list.txt")
    splits = {"train": [], "validation": [], "test": []}
    for path in sorted(glob.glob(os.path.join(root, "*", "*.wav"))):
        word = os.path.basename(os.path.dirname(path))
        if word == NOISE:
            continue
        rel = f"{word}/{os.path.basename(path)}"
        split = "validation" if rel in validation else "test" if rel in testing else "train"
        splits[split].append((rel, word))
    if not any(splits.values()):
        raise FileNotFoundError(f"no <word>/*.wav clips under {root}")
    return splits


def silence_lines(root, count, rng):
    """``count`` one-second windows at random offsets of the background noise files."""
    files = sorted(glob.glob(os.path.join(root, NOISE, "*.wav")))
    if not files:
        raise FileNotFoundError(f"no background noise files in {os.path.join(root, NOISE)} (needed for 'silence')")
    lengths = [sf.info(f).duration for f in files]
    lines = []
    for _ in range(count):
        index = int(rng.integers(len(files)))
        offset = float(rng.uniform(0.0, max(lengths[index] - 1.0, 0.0)))
        lines.append({"audio_filepath": os.path.abspath(files[index]), "offset": round(offset, 3),
                      "duration": round(min(1.0, lengths[index]), 3), "label": "silence"})
    return lines


def build(root, class_split, seed):
    rng = np.random.default_rng(seed)
    manifests = {}
    for split, clips in clips_by_split(root).items():
        lines = []
        for rel, word in clips:
            path = os.path.abspath(os.path.join(root, rel))
            label = word if class_split == "all" or word in COMMANDS else "unknown"
            lines.append({"audio_filepath": path, "duration": round(sf.info(path).duration, 4), "label": label})
        if class_split == "sub" and lines:
            per_class = sum(line["label"] in COMMANDS for line in lines) / len(COMMANDS)
            lines += silence_lines(root, int(round(per_class)), rng)
        manifests[split] = lines
    return manifests


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data_root", required=True, help="the extracted Speech Commands folder")
    parser.add_argument("--out_dir", default=None, help="where the manifests go (default: --data_root)")
    parser.add_argument("--class_split", choices=["all", "sub"], default="all")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if not os.path.isdir(args.data_root):
        parser.error(f"--data_root {args.data_root} is not a folder")
    out_dir = args.out_dir or args.data_root
    os.makedirs(out_dir, exist_ok=True)
    for split, lines in build(args.data_root, args.class_split, args.seed).items():
        path = os.path.join(out_dir, f"{split}_manifest.json")
        with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8") as handle:
            for line in lines:
                handle.write(json.dumps(line) + "\n")
        labels = sorted({line["label"] for line in lines})
        print(f"{split}: {len(lines)} clips, {len(labels)} classes -> {path}")


if __name__ == "__main__":
    main()
