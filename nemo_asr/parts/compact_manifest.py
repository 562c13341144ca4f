"""Manifests of millions of lines held as numpy columns, not as one Python object per line.

Keys (audio file names without folder and extension) are a sorted fixed-width byte array searched
with ``np.searchsorted``; transcripts are one UTF-8 blob with offsets. About 60 bytes per line for
short keys and transcripts, instead of the ~1 kB a dict per line costs.
"""
import json
import os
from array import array

import numpy as np

from .manifest import ManifestError


def audio_key(path):
    """The key a tar member and a manifest line share: the file name without folder and extension."""
    return os.path.splitext(os.path.basename(path))[0]


class CompactManifest:
    """``key -> (duration, text, shard_id)`` for the lines of one or several manifests.

    ``lookup(key)`` returns the row index or -1; ``duration[i]``, ``text(i)``, ``shard_id[i]``.
    """

    def __init__(self, manifest_paths):
        keys, durations, shards, offsets = [], array("f"), array("i"), array("q", [0])
        blob = bytearray()
        for path in manifest_paths:
            if not os.path.isfile(path):
                raise ManifestError(f"manifest file not found: {path}")
            with open(path, encoding="utf-8") as handle:
                for number, line in enumerate(handle, start=1):
                    if not line.strip():
                        continue
                    try:
                        record = json.loads(line)
                        key = audio_key(record["audio_filepath"])
                        duration = float(record["duration"])
                        text = record["text"].encode("utf-8")
                    except (json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
                        raise ManifestError(f"{path}:{number}: expected a JSON object with 'audio_filepath', "
                                            "'duration' and 'text'") from None
                    keys.append(key.encode("utf-8"))
                    durations.append(duration)
                    shards.append(int(record.get("shard_id", -1)))
                    blob += text
                    offsets.append(len(blob))
        keys = np.array(keys, dtype=bytes)
        order = np.argsort(keys, kind="stable")
        self.keys = keys[order]
        duplicates = np.flatnonzero(self.keys[1:] == self.keys[:-1])
        if len(duplicates):
            raise ManifestError(f"{', '.join(manifest_paths)}: audio file name "
                                f"{self.keys[duplicates[0]].decode()!r} is listed more than once")
        self.duration = np.asarray(durations, dtype=np.float32)[order]
        self.shard_id = np.asarray(shards, dtype=np.int32)[order]
        starts, ends = np.asarray(offsets[:-1], dtype=np.int64), np.asarray(offsets[1:], dtype=np.int64)
        self._starts, self._ends = starts[order], ends[order]
        self._blob = bytes(blob)

    def __len__(self):
        return len(self.keys)

    def lookup(self, key):
        """Row of ``key`` (a str), or -1 when the manifests do not list it."""
        encoded = key.encode("utf-8")
        row = int(np.searchsorted(self.keys, encoded))
        return row if row < len(self.keys) and self.keys[row] == encoded else -1

    def text(self, row):
        return self._blob[self._starts[row]:self._ends[row]].decode("utf-8")

    @property
    def nbytes(self):
        """Bytes held by the columns."""
        return (self.keys.nbytes + self.duration.nbytes + self.shard_id.nbytes + self._starts.nbytes
                + self._ends.nbytes + len(self._blob))
