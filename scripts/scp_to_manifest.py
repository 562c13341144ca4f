"""Turn a Kaldi data directory (``wav.scp`` + ``text`` [+ ``utt2dur``]) into a JSON-lines ASR manifest.

    python scripts/scp_to_manifest.py --data_dir data/train --out train_manifest.json

``wav.scp`` lines must name audio files (``utt_id /path/to/file.wav``); piped commands
(``utt_id sox ... |``) are rejected with the line. Durations come from ``utt2dur`` when present,
else from the audio file headers.
"""
import argparse
import json
import os

from nemo.utils.atomic import atomic_path
from nemo_asr.parts.audio import audio_info
from nemo_asr.parts.kaldi_dataset import read_kaldi_table


def manifest_records(data_dir):
    """Manifest dicts for the utterances of ``wav.scp`` that ``text`` transcribes (wav.scp order)."""
    scp_path = os.path.join(data_dir, "wav.scp")
    wavs = read_kaldi_table(scp_path)
    texts = read_kaldi_table(os.path.join(data_dir, "text"))
    durations = read_kaldi_table(os.path.join(data_dir, "utt2dur"), required=False)
    records = []
    for utt, source in wavs.items():
        if source.rstrip().endswith("|"):
            raise SystemExit(f"{scp_path}: utterance {utt!r} is a piped command ({source!r}); "
                             "convert the audio to files first")
        if utt not in texts:
            continue
        path = source if os.path.isabs(source) else os.path.normpath(os.path.join(data_dir, source))
        if not os.path.isfile(path):
            raise SystemExit(f"{scp_path}: audio file of {utt!r} not found: {path}")
        duration = float(durations[utt].split()[0]) if utt in durations else audio_info(path).duration
        records.append({"audio_filepath": path, "duration": round(duration, 4), "text": texts[utt]})
    return records


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data_dir", required=True, help="Kaldi data directory with wav.scp and text")
    parser.add_argument("--out", required=True, help="manifest to write")
    parser.add_argument("--lowercase", action="store_true", help="lower-case the transcripts")
    args = parser.parse_args(argv)
    records = manifest_records(args.data_dir)
    with atomic_path(args.out) as tmp, open(tmp, "w", encoding="utf-8") as out:
        for record in records:
            if args.lowercase:
                record["text"] = record["text"].lower()
            out.write(json.dumps(record) + "\n")
    print(f"wrote {len(records)} utterances to {args.out}")


if __name__ == "__main__":
    main()
