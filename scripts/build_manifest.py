"""Build a JSON-lines ASR manifest from a folder of audio files and their transcripts.

    python scripts/build_manifest.py --audio_dir data/wavs --transcripts data/transcripts.txt --output data/train.json
    python scripts/build_manifest.py --audio_dir data/wavs --output data/train.json --relative

Transcripts come from a file of ``<utt_id> <text>`` lines (``utt_id`` is the
audio file name without extension), or, without ``--transcripts``, from a
``<name>.txt`` or ``<name>.lab`` file beside each audio file. Each manifest
line is ``{"audio_filepath", "duration", "text"}``; durations are read with
soundfile. The manifest is written to a temporary file, then renamed.
"""

import argparse
import json
import os
import sys

import soundfile as sf

from nemo.utils.atomic import atomic_path

AUDIO_EXTENSIONS = (".wav", ".flac", ".ogg", ".mp3")
SIDECAR_EXTENSIONS = (".txt", ".lab")


class ManifestBuildError(ValueError):
    """Bad input for a manifest; the message names the file (and line)."""


def audio_duration(path):
    """Duration of an audio file in seconds (from its header, via soundfile)."""
    try:
        info = sf.info(path)
    except (sf.LibsndfileError, RuntimeError) as err:
        raise ManifestBuildError(f"cannot read audio file {path}: {err}") from None
    return info.frames / info.samplerate


def find_audio(audio_dir):
    """Audio files under ``audio_dir`` (recursive), sorted."""
    if not os.path.isdir(audio_dir):
        raise ManifestBuildError(f"audio folder not found: {audio_dir}")
    found = []
    for root, _, files in os.walk(audio_dir):
        found.extend(os.path.join(root, name) for name in files if name.lower().endswith(AUDIO_EXTENSIONS))
    return sorted(found)


def read_transcripts(path, problems):
    """``{utt_id: text}`` from ``<utt_id> <text>`` lines; blank lines are ignored.

    A line without text is reported through ``problems(message)``; a repeated id is an error.
    """
    transcripts, where = {}, {}
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            fields = line.split(maxsplit=1)
            if not fields:
                continue
            utt_id = fields[0]
            if len(fields) < 2:
                problems(f"{path}:{number}: no text after utterance id {utt_id!r}")
                continue
            if utt_id in transcripts:
                raise ManifestBuildError(f"{path}:{number}: utterance id {utt_id!r} repeats line {where[utt_id]}")
            transcripts[utt_id] = " ".join(fields[1].split())
            where[utt_id] = number
    return transcripts


def sidecar_transcript(audio_path, problems):
    """Text of the ``.txt``/``.lab`` file beside ``audio_path``; None (reported) when there is none."""
    stem = os.path.splitext(audio_path)[0]
    for extension in SIDECAR_EXTENSIONS:
        if os.path.isfile(stem + extension):
            with open(stem + extension, encoding="utf-8") as handle:
                text = " ".join(handle.read().split())
            if not text:
                problems(f"{stem + extension}: empty transcript")
                return None
            return text
    problems(f"{audio_path}: no transcript ({' or '.join(stem + e for e in SIDECAR_EXTENSIONS)} not found)")
    return None


def write_manifest(records, path):
    """Write ``records`` (dicts) as JSON lines to ``path`` atomically."""
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding="utf-8") as handle:
            for record in records:
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def build_manifest(audio_dir, output, transcripts=None, relative=False, skip_errors=False):
    """Write the manifest of ``audio_dir`` to ``output``; returns ``(utterances written, problems skipped)``.

    Without ``skip_errors`` the first problem (transcript line without text,
    audio file without transcript) raises :class:`ManifestBuildError`.
    """
    skipped = []

    def problems(message):
        if not skip_errors:
            raise ManifestBuildError(message + " (use --skip_errors to skip such entries)")
        skipped.append(message)

    texts = read_transcripts(transcripts, problems) if transcripts else None
    manifest_dir = os.path.dirname(os.path.abspath(output))
    records = []
    for audio in find_audio(audio_dir):
        utt_id = os.path.splitext(os.path.basename(audio))[0]
        if texts is None:
            text = sidecar_transcript(audio, problems)
        else:
            text = texts.get(utt_id)
            if text is None:
                problems(f"{audio}: no line for utterance id {utt_id!r} in {transcripts}")
        if text is None:
            continue
        path = os.path.relpath(audio, manifest_dir) if relative else os.path.abspath(audio)
        records.append({"audio_filepath": path, "duration": round(audio_duration(audio), 6), "text": text})
    if not records:
        raise ManifestBuildError(f"no utterance with audio and transcript under {audio_dir}; nothing written")
    write_manifest(records, output)
    return len(records), skipped


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--audio_dir", required=True, help="folder searched (recursively) for audio files")
    parser.add_argument("--transcripts", default=None,
                        help="file of '<utt_id> <text>' lines (default: .txt/.lab files beside the audio)")
    parser.add_argument("--output", required=True, help="manifest to write (JSON lines)")
    parser.add_argument("--relative", action="store_true", help="audio paths relative to the manifest's folder")
    parser.add_argument("--skip_errors", action="store_true",
                        help="skip audio without transcript and transcript lines without text, with a warning")
    args = parser.parse_args(argv)
    try:
        written, skipped = build_manifest(args.audio_dir, args.output, args.transcripts, args.relative,
                                          args.skip_errors)
    except ManifestBuildError as err:
        sys.exit(f"error: {err}")
    if skipped:
        print(f"warning: skipped {len(skipped)} entr{'y' if len(skipped) == 1 else 'ies'} (first: {skipped[0]})",
              file=sys.stderr)
    print(f"wrote {written} utterance(s) to {args.output}")


if __name__ == "__main__":
    main()
