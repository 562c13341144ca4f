"""Memory of a 1M-line manifest: numpy columns (CompactManifest, used by the tarred layer) vs one
ManifestEntry object per line (read_manifest). Each is measured in a fresh process (peak RSS delta), plus the bytes the columns hold.

    python benchmarks/manifest_memory.py [--lines 1000000]
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile

MEASURE = """
import resource, sys
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
from nemo_asr.parts.{module} import {cls}
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
held = {call}
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) / 1024, len(held), getattr(held, 'nbytes', 0))
"""


def measure(module, cls, call):
    out = subprocess.run([sys.executable, "-c", MEASURE.format(module=module, cls=cls, call=call)],
                         capture_output=True, text=True, check=True).stdout.split()
    return float(out[0]), int(out[1]), int(out[2])


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "manifest.json")
        with open(path, "w") as out:
            for i in range(args.lines):
                out.write(json.dumps({"audio_filepath": f"audio/speaker{i % 1000}/utt{i:08d}.flac",
                                      "duration": 1.0 + (i % 150) / 10, "text": "the quick brown fox jumps over the "
                                      f"lazy dog number {i % 97}"}) + "\n")
        compact, n1, held = measure("compact_manifest", "CompactManifest", f"CompactManifest([{path!r}])")
        entries, n2, _ = measure("manifest", "read_manifest", f"read_manifest({path!r}, check_files=False)")
    print(f"{args.lines} lines: CompactManifest peak {compact:.0f} MiB, held {held / 2**20:.0f} MiB ({n1} rows), "
          f"list of ManifestEntry {entries:.0f} MiB ({n2} rows), ratio {entries / compact:.1f}x")


if __name__ == "__main__":
    main()
