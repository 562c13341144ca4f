"""Write an ASR manifest's audio into tar shards plus a manifest with each line's ``shard_id``.

    python scripts/convert_to_tarred_audio_dataset.py --manifest_path tests/data/an4/train_manifest.json \\
        --target_dir an4_tarred --num_shards 4 [--shuffle --shuffle_seed 0] [--max_duration 16.7]

Output: ``<target_dir>/audio_0.tar .. audio_<N-1>.tar`` and ``<target_dir>/tarred_audio_manifest.json``;
read them with ``TarredAudioToTextDataLayer(audio_tar_filepaths="<dir>/audio_{0..N-1}.tar", ...)``.
Members are named by the audio file name, which must be unique; the audio bytes are copied as they are.
"""
import argparse
import json
import os
import random
import tarfile

from nemo.utils.atomic import atomic_path
from nemo_asr.parts.manifest import read_manifest


def write_shards(entries, target_dir, num_shards):
    """Write ``entries`` round-robin into ``num_shards`` tar files; returns manifest records."""
    names = [os.path.basename(e.audio_filepath) for e in entries]
    seen = set()
    for entry, name in zip(entries, names):
        if name in seen:
            raise SystemExit(f"{entry.source}: audio file name {name} is not unique; tar members are named by it")
        seen.add(name)
    shards = [entries[i::num_shards] for i in range(num_shards)]
    records = []
    for shard_id, shard in enumerate(shards):
        path = os.path.join(target_dir, f"audio_{shard_id}.tar")
        with atomic_path(path) as tmp, tarfile.open(tmp, "w") as tar:
            for entry in shard:
                if entry.offset > 0:
                    raise SystemExit(f"{entry.source}: lines with an offset cannot be tarred as whole files")
                tar.add(entry.audio_filepath, arcname=os.path.basename(entry.audio_filepath))
                records.append({"audio_filepath": os.path.basename(entry.audio_filepath),
                                "duration": entry.duration, "text": entry.text, "shard_id": shard_id})
    return records


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--manifest_path", required=True, help="input manifest (comma-separated for several)")
    parser.add_argument("--target_dir", required=True, help="folder for the shards and the new manifest")
    parser.add_argument("--num_shards", type=int, default=1)
    parser.add_argument("--shuffle", action="store_true", help="shuffle lines before sharding")
    parser.add_argument("--shuffle_seed", type=int, default=0)
    parser.add_argument("--min_duration", type=float, default=None)
    parser.add_argument("--max_duration", type=float, default=None)
    args = parser.parse_args(argv)
    entries = read_manifest(args.manifest_path, args.min_duration, args.max_duration)
    if args.num_shards < 1 or args.num_shards > max(1, len(entries)):
        parser.error(f"--num_shards must be between 1 and the number of utterances ({len(entries)})")
    if args.shuffle:
        random.Random(args.shuffle_seed).shuffle(entries)
    os.makedirs(args.target_dir, exist_ok=True)
    records = write_shards(entries, args.target_dir, args.num_shards)
    manifest = os.path.join(args.target_dir, "tarred_audio_manifest.json")
    with atomic_path(manifest) as tmp, open(tmp, "w", encoding="utf-8") as out:
        out.writelines(json.dumps(r) + "\n" for r in records)
    print(f"wrote {args.num_shards} shard(s) with {len(records)} utterances and {manifest}")


if __name__ == "__main__":
    main()
