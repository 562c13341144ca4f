"""LJSpeech (or any folder in its layout) to NeMo manifests with a seeded train/val split.

    python scripts/get_ljspeech_data.py --data_root data               # downloads LJSpeech-1.1 first
    python scripts/get_ljspeech_data.py --data_root tests/data/tts_slt --no_download --val_size 10

The layout: ``<data_root>/LJSpeech-1.1/metadata.csv`` (or ``<data_root>/metadata.csv``) with
``id|text|normalized text`` lines and ``wavs/<id>.wav``. Writes ``ljspeech_train.json`` and
``ljspeech_val.json`` beside ``metadata.csv`` (normalized text; raw text when it is empty), with
audio paths relative to them; the split is a shuffle with ``--seed``.
"""

import argparse
import os
import random

from build_manifest import audio_duration, write_manifest
from get_librispeech_data import download, extract

LJSPEECH_URL = "https://data.keithito.com/data/speech/LJSpeech-1.1.tar.bz2"


def read_metadata(path):
    """``[(id, text)]`` from an LJSpeech ``metadata.csv``; a malformed line names file and line."""
    rows = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            line = line.rstrip("\n")
            if not line.strip():
                continue
            fields = line.split("|")
            if len(fields) < 2 or not fields[0]:
                raise ValueError(f"{path}:{number}: expected 'id|text|normalized text', got {line!r}")
            text = fields[2] if len(fields) > 2 and fields[2].strip() else fields[1]
            if not text.strip():
                raise ValueError(f"{path}:{number}: empty text for {fields[0]}")
            rows.append((fields[0], text.strip()))
    return rows


def split_records(records, val_size, seed):
    """``(train, val)``: a seeded shuffle, the first ``val_size`` records to val, both in id order."""
    if not 0 < val_size < len(records):
        raise ValueError(f"val_size must be in 1..{len(records) - 1}, got {val_size}")
    order = list(range(len(records)))
    random.Random(seed).shuffle(order)
    val = sorted(order[:val_size])
    train = sorted(order[val_size:])
    return [records[i] for i in train], [records[i] for i in val]


def find_metadata(data_root):
    for candidate in (os.path.join(data_root, "LJSpeech-1.1", "metadata.csv"), os.path.join(data_root, "metadata.csv")):
        if os.path.isfile(candidate):
            return candidate
    return None


def build_manifests(folder, val_size, seed):
    """Write the two manifests for the LJSpeech folder ``folder``; returns their paths."""
    metadata = os.path.join(folder, "metadata.csv")
    records = []
    for utt_id, text in read_metadata(metadata):
        wav = os.path.join(folder, "wavs", f"{utt_id}.wav")
        if not os.path.isfile(wav):
            raise FileNotFoundError(f"{metadata}: audio for {utt_id} not found at {wav}")
        records.append({"audio_filepath": os.path.join("wavs", f"{utt_id}.wav"), "duration": audio_duration(wav),
                        "text": text})
    train, val = split_records(records, val_size, seed)
    paths = os.path.join(folder, "ljspeech_train.json"), os.path.join(folder, "ljspeech_val.json")
    write_manifest(train, paths[0])
    write_manifest(val, paths[1])
    return paths


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data_root", required=True)
    parser.add_argument("--val_size", type=int, default=100, help="utterances in the validation manifest")
    parser.add_argument("--seed", type=int, default=0, help="seed of the train/val split")
    parser.add_argument("--no_download", action="store_true", help="use the folder as it is")
    args = parser.parse_args(argv)
    metadata = find_metadata(args.data_root)
    if metadata is None:
        if args.no_download:
            parser.error(f"no metadata.csv in {args.data_root} or {args.data_root}/LJSpeech-1.1")
        os.makedirs(args.data_root, exist_ok=True)
        extract(download(LJSPEECH_URL, os.path.join(args.data_root, "LJSpeech-1.1.tar.bz2")), args.data_root)
        metadata = find_metadata(args.data_root)
    train, val = build_manifests(os.path.dirname(metadata), args.val_size, args.seed)
    print(f"wrote {train} and {val}")


if __name__ == "__main__":
    main()
