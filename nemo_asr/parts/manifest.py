"""Reading JSON-lines ASR manifests (``audio_filepath``, ``duration``, ``text``)."""
import json
import logging
import os
from dataclasses import dataclass

logger = logging.getLogger("nemo_asr")

REQUIRED_KEYS = ("audio_filepath", "duration", "text")


class ManifestError(ValueError):
    """A manifest line that cannot be used; the message names file and line."""


@dataclass(frozen=True)
class ManifestEntry:
    """One utterance. ``source`` is ``"<manifest>:<line>"`` for error messages."""

    audio_filepath: str
    duration: float
    text: str
    offset: float = 0.0
    source: str = ""


def split_manifest_paths(manifest_filepath):
    """Return a list of paths from a comma-separated string or a list of strings."""
    if isinstance(manifest_filepath, str):
        paths = manifest_filepath.split(",")
    else:
        paths = list(manifest_filepath)
    paths = [p.strip() for p in paths if p and p.strip()]
    if not paths:
        raise ManifestError(f"no manifest file given (got {manifest_filepath!r})")
    return paths


def _number(record, key, where, default=None):
    value = record.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ManifestError(f"{where}: '{key}' must be a non-negative number of seconds, got {value!r}")
    return float(value)


def _parse_line(line, where, base_dir, check_files, text_key="text"):
    try:
        record = json.loads(line)
    except json.JSONDecodeError as err:
        raise ManifestError(f"{where}: expected one JSON object per line ({err.msg})") from None
    if not isinstance(record, dict):
        raise ManifestError(f"{where}: expected a JSON object, got {type(record).__name__}")
    required = REQUIRED_KEYS[:2] + (text_key,)
    missing = [key for key in required if key not in record]
    if missing:
        raise ManifestError(
            f"{where}: missing key(s) {missing}; every line needs {list(required)} (optional 'offset')"
        )
    path, text = record["audio_filepath"], record[text_key]
    if not isinstance(path, str) or not path:
        raise ManifestError(f"{where}: 'audio_filepath' must be a non-empty string, got {path!r}")
    if not isinstance(text, str):
        raise ManifestError(f"{where}: '{text_key}' must be a string, got {text!r}")
    path = os.path.expanduser(path)
    if not os.path.isabs(path):
        path = os.path.normpath(os.path.join(base_dir, path))
    if check_files and not os.path.isfile(path):
        raise ManifestError(f"{where}: audio file not found: {path}")
    return ManifestEntry(
        audio_filepath=path,
        duration=_number(record, "duration", where),
        text=text,
        offset=_number(record, "offset", where, default=0.0),
        source=where,
    )


def read_manifest_file(path, check_files=True, text_key="text"):
    """Parse one manifest file into a list of :class:`ManifestEntry` (empty lines skipped).

    ``text_key`` names the key read into ``ManifestEntry.text`` (``"label"`` for classification).
    """
    if not os.path.isfile(path):
        raise ManifestError(f"manifest file not found: {path}")
    base_dir = os.path.dirname(os.path.abspath(path))
    entries = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                entries.append(_parse_line(line, f"{path}:{number}", base_dir, check_files, text_key))
    return entries


def filter_entries(entries, min_duration=None, max_duration=None, max_utts=0):
    """Keep entries within [min_duration, max_duration]; then at most ``max_utts`` (0 = all)."""
    kept, dropped_seconds = [], 0.0
    for entry in entries:
        if (min_duration is not None and entry.duration < min_duration) or (
            max_duration is not None and entry.duration > max_duration
        ):
            dropped_seconds += entry.duration
        else:
            kept.append(entry)
    if len(kept) < len(entries):
        logger.info("skipped %d utterance(s) (%.2f h) outside duration range [%s, %s]",
                    len(entries) - len(kept), dropped_seconds / 3600, min_duration, max_duration)
    if max_utts and max_utts > 0:
        kept = kept[:max_utts]
    return kept


def read_manifest(manifest_filepath, min_duration=None, max_duration=None, max_utts=0, check_files=True,
                  text_key="text"):
    """Read one or several manifests (comma-separated string or list) and apply the filters."""
    entries = []
    for path in split_manifest_paths(manifest_filepath):
        entries.extend(read_manifest_file(path, check_files=check_files, text_key=text_key))
    return filter_entries(entries, min_duration, max_duration, max_utts)
