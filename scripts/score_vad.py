"""Score VAD segments against a reference: detection error rate and frame precision/recall/F1.

    python scripts/score_vad.py --reference ref.rttm --hypothesis segments.rttm [--resolution 0.01]

Both files are RTTM or JSON lines (``audio_filepath``, ``offset``, ``duration``); recordings are
matched by name. A recording's length is the end of its last reference or hypothesis segment
unless ``--durations`` gives a manifest with ``audio_filepath`` and ``duration``.
"""

import argparse
import json
import os

import numpy as np

from nemo_asr.parts.vad import read_segments, score_frames, segments_to_frames


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reference", required=True)
    parser.add_argument("--hypothesis", required=True)
    parser.add_argument("--durations", default=None, help="manifest with each recording's duration")
    parser.add_argument("--resolution", type=float, default=0.01, help="frame length in seconds")
    args = parser.parse_args(argv)
    reference, hypothesis = read_segments(args.reference), read_segments(args.hypothesis)
    durations = {}
    if args.durations:
        with open(args.durations, encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    record = json.loads(line)
                    durations[os.path.splitext(os.path.basename(record["audio_filepath"]))[0]] = record["duration"]
    refs, hyps = [], []
    for name in sorted(set(reference) | set(hypothesis)):
        ends = [end for _, end in reference.get(name, []) + hypothesis.get(name, [])]
        duration = durations.get(name, max(ends))
        refs.append(segments_to_frames(reference.get(name, []), duration, args.resolution))
        hyps.append(segments_to_frames(hypothesis.get(name, []), duration, args.resolution))
    scores = score_frames(np.concatenate(refs), np.concatenate(hyps))
    print(f"{len(refs)} recording(s): detection error rate {scores['detection_error_rate']:.2%}, precision "
          f"{scores['precision']:.2%}, recall {scores['recall']:.2%}, F1 {scores['f1']:.2%}")
    return scores


if __name__ == "__main__":
    main()
