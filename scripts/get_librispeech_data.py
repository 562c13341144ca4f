"""Download LibriSpeech, convert it to 16 kHz wav and write NeMo manifests.

    python scripts/get_librispeech_data.py --data_root data --data_set dev_clean,train_clean_100
    python scripts/get_librispeech_data.py --data_root data --data_set ALL

For each data set: ``<data_root>/<name>.tar.gz`` is downloaded from openslr.org
(skipped when already there), extracted to ``<data_root>/LibriSpeech/<dir>/``,
its flac files are converted to ``<data_root>/LibriSpeech/<dir>-processed/<utt>.wav``
(soundfile and librosa; no sox needed) and ``<data_root>/<name>.json`` lists
them with durations and lower-cased transcripts.
"""

import argparse
import glob
import os
import tarfile
import urllib.request
from concurrent.futures import ProcessPoolExecutor

import librosa
import soundfile as sf
from tqdm import tqdm

from build_manifest import audio_duration, write_manifest
from nemo.utils.atomic import atomic_path

SAMPLE_RATE = 16000
OPENSLR = "https://www.openslr.org/resources"
DATA_SETS = {  # name: (url, folder inside LibriSpeech/)
    "dev_clean": (f"{OPENSLR}/12/dev-clean.tar.gz", "dev-clean"),
    "dev_other": (f"{OPENSLR}/12/dev-other.tar.gz", "dev-other"),
    "test_clean": (f"{OPENSLR}/12/test-clean.tar.gz", "test-clean"),
    "test_other": (f"{OPENSLR}/12/test-other.tar.gz", "test-other"),
    "train_clean_100": (f"{OPENSLR}/12/train-clean-100.tar.gz", "train-clean-100"),
    "train_clean_360": (f"{OPENSLR}/12/train-clean-360.tar.gz", "train-clean-360"),
    "train_other_500": (f"{OPENSLR}/12/train-other-500.tar.gz", "train-other-500"),
    "dev_clean_2": (f"{OPENSLR}/31/dev-clean-2.tar.gz", "dev-clean-2"),
    "train_clean_5": (f"{OPENSLR}/31/train-clean-5.tar.gz", "train-clean-5"),
}
ALL = ["dev_clean", "dev_other", "test_clean", "test_other", "train_clean_100", "train_clean_360", "train_other_500"]


def parse_data_sets(text):
    """Names from a comma-separated ``--data_set`` value (``ALL``: the seven LibriSpeech sets)."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    if names == ["ALL"]:
        return ALL
    unknown = [name for name in names if name not in DATA_SETS]
    if unknown or not names:
        raise ValueError(f"unknown data set(s) {unknown or text!r}; choose from {', '.join(DATA_SETS)} or ALL")
    return names


def download(url, destination):
    """Fetch ``url`` to ``destination`` (via a ``.part`` file) unless it is already there."""
    if os.path.isfile(destination):
        print(f"{destination} exists; not downloading")
        return destination
    partial = destination + ".part"
    with tqdm(unit="B", unit_scale=True, desc=os.path.basename(destination)) as bar:
        def hook(blocks, block_size, total):
            bar.total = total if total > 0 else None
            bar.update(blocks * block_size - bar.n)

        try:
            urllib.request.urlretrieve(url, partial, reporthook=hook)
        except OSError as err:
            raise OSError(f"cannot download {url}: {err}; download it by hand to {destination}") from None
    os.replace(partial, destination)
    return destination


def extract(archive, data_root):
    """Unpack ``archive`` into ``data_root`` (refusing paths that leave it)."""
    print(f"extracting {archive}")
    with tarfile.open(archive) as tar:
        tar.extractall(data_root, filter="data")


def _convert_one(paths):
    """One flac → mono 16 kHz 16-bit wav, written atomically (a rerun never keeps half a file)."""
    source, target = paths
    samples, rate = sf.read(source, dtype="float32", always_2d=True)
    samples = samples.mean(axis=1)
    if rate != SAMPLE_RATE:
        samples = librosa.resample(samples, orig_sr=rate, target_sr=SAMPLE_RATE)
    with atomic_path(target) as tmp:
        sf.write(tmp, samples, SAMPLE_RATE, subtype="PCM_16", format="WAV")


def convert_flac_to_wav(source_dir, wav_dir, num_workers=1):
    """Convert every ``*.flac`` under ``source_dir`` to ``<wav_dir>/<utt_id>.wav`` (16 kHz, 16-bit).

    Existing wav files are kept. Returns the number of files converted.
    """
    os.makedirs(wav_dir, exist_ok=True)
    sources = sorted(glob.glob(os.path.join(source_dir, "**", "*.flac"), recursive=True))
    todo = [(s, os.path.join(wav_dir, os.path.basename(s)[: -len(".flac")] + ".wav")) for s in sources]
    todo = [(s, t) for s, t in todo if not os.path.isfile(t)]
    desc = f"flac -> wav {os.path.basename(source_dir)}"
    if num_workers > 1:
        with ProcessPoolExecutor(num_workers) as pool:
            for _ in tqdm(pool.map(_convert_one, todo, chunksize=64), total=len(todo), desc=desc):
                pass
    else:
        for item in tqdm(todo, desc=desc):
            _convert_one(item)
    return len(todo)


def librispeech_manifest(source_dir, wav_dir, manifest_path):
    """Write a manifest from the ``*.trans.txt`` files under ``source_dir`` and the wavs in ``wav_dir``.

    Returns the number of utterances; a transcript line without text or
    without its wav file raises ``ValueError`` naming file and line.
    """
    records = []
    for trans in sorted(glob.glob(os.path.join(source_dir, "**", "*.trans.txt"), recursive=True)):
        with open(trans, encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                fields = line.split(maxsplit=1)
                if not fields:
                    continue
                if len(fields) < 2:
                    raise ValueError(f"{trans}:{number}: no text after utterance id {fields[0]!r}")
                wav = os.path.abspath(os.path.join(wav_dir, fields[0] + ".wav"))
                if not os.path.isfile(wav):
                    raise ValueError(f"{trans}:{number}: audio {wav} not found (was the flac converted?)")
                records.append({"audio_filepath": wav, "duration": round(audio_duration(wav), 6),
                                "text": " ".join(fields[1].lower().split())})
    if not records:
        raise ValueError(f"no *.trans.txt transcripts under {source_dir}")
    write_manifest(records, manifest_path)
    return len(records)


def prepare(data_root, name, num_workers=1, skip_download=False):
    """Download (unless ``skip_download``), extract, convert and write ``<data_root>/<name>.json``."""
    url, folder = DATA_SETS[name]
    source_dir = os.path.join(data_root, "LibriSpeech", folder)
    if not skip_download:
        extract(download(url, os.path.join(data_root, name + ".tar.gz")), data_root)
    if not os.path.isdir(source_dir):
        raise FileNotFoundError(f"{source_dir} not found; extract {os.path.basename(url)} into {data_root}")
    convert_flac_to_wav(source_dir, source_dir + "-processed", num_workers)
    manifest = os.path.join(data_root, name + ".json")
    count = librispeech_manifest(source_dir, source_dir + "-processed", manifest)
    print(f"wrote {count} utterances to {manifest}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data_root", required=True, help="folder for archives, audio and manifests")
    parser.add_argument("--data_set", required=True,
                        help=f"comma-separated names ({', '.join(DATA_SETS)}) or ALL")
    parser.add_argument("--num_workers", type=int, default=os.cpu_count(), help="processes for the conversion")
    parser.add_argument("--skip_download", action="store_true",
                        help="use archives already extracted under <data_root>/LibriSpeech")
    args = parser.parse_args(argv)
    try:
        names = parse_data_sets(args.data_set)
    except ValueError as err:
        parser.error(str(err))
    os.makedirs(args.data_root, exist_ok=True)
    for name in names:
        prepare(args.data_root, name, args.num_workers, args.skip_download)


if __name__ == "__main__":
    main()
