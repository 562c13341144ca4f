"""Score a speaker verification trial list by cosine similarity of embeddings; print the equal error rate.

    python scripts/speaker_eer.py --trials trials.txt --embeddings embeddings/all_manifest_embeddings.npy

``trials.txt`` has one trial per line: ``label path1 path2`` (label 1: same speaker, 0: different);
paths are matched to the ``audio_filepath`` entries written by ``examples/asr/spkr_get_emb.py``
beside the ``.npy`` file (exactly, or by the path's trailing components). The ROC comes from
scikit-learn, the EER crossing from scipy.
"""

import argparse
import json
import os

import numpy as np

from nemo_asr.parts.speaker_metrics import cosine_scores, equal_error_rate


def path_index(entries):
    """Every trailing path suffix (``a/b/c.wav``, ``b/c.wav``, ``c.wav``) → row; ambiguous suffixes dropped."""
    index, ambiguous = {}, set()
    for row, entry in enumerate(entries):
        parts = os.path.normpath(entry["audio_filepath"]).split(os.sep)
        for start in range(len(parts)):
            key = "/".join(parts[start:])
            if key in index and index[key] != row:
                ambiguous.add(key)
            index.setdefault(key, row)
    return {key: row for key, row in index.items() if key not in ambiguous}


def read_trials(path, index):
    labels, first, second = [], [], []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            fields = line.split()
            if len(fields) != 3 or fields[0] not in ("0", "1"):
                raise ValueError(f"{path}:{number}: expected 'label path1 path2' with label 0 or 1, got {line.strip()!r}")
            rows = []
            for name in fields[1:]:
                key = "/".join(os.path.normpath(name).split(os.sep)).lstrip("./")
                if key not in index:
                    raise ValueError(f"{path}:{number}: no embedding for {name} (not in the embeddings' manifest, "
                                     "or it matches several files)")
                rows.append(index[key])
            labels.append(int(fields[0]))
            first.append(rows[0])
            second.append(rows[1])
    return np.array(labels), np.array(first), np.array(second)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", required=True, help="trial list: 'label path1 path2' per line")
    parser.add_argument("--embeddings", required=True, help=".npy from spkr_get_emb.py (its .json beside it)")
    args = parser.parse_args(argv)
    embeddings = np.load(args.embeddings)
    with open(os.path.splitext(args.embeddings)[0] + ".json", encoding="utf-8") as handle:
        entries = json.load(handle)
    if len(entries) != len(embeddings):
        raise ValueError(f"{args.embeddings}: {len(embeddings)} embeddings but {len(entries)} entries in its .json")
    labels, first, second = read_trials(args.trials, path_index(entries))
    scores = cosine_scores(embeddings[first], embeddings[second])
    eer, threshold = equal_error_rate(labels, scores)
    print(f"EER: {eer:.2%} at cosine threshold {threshold:.4f} over {len(labels)} trials "
          f"({int(labels.sum())} target, {int((1 - labels).sum())} non-target)")
    return eer


if __name__ == "__main__":
    main()
