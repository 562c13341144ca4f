"""Download (where allowed) and convert standard NLP sets to the layouts of nemo_nlp.

    python scripts/get_nlp_data.py --dataset conll2003 --source_dir <folder with eng.train eng.testa eng.testb> \\
        --out_dir data/conll2003
    python scripts/get_nlp_data.py --dataset snips --download --out_dir data/snips
    python scripts/get_nlp_data.py --dataset sst2 --download --out_dir data/sst2

* conll2003 (not redistributable: bring your own copy) → ``train.txt dev.txt test.txt``,
  ``WORD<TAB>LABEL`` lines, for ``examples/nlp/ner.py``.
* snips (the Snips NLU benchmark, CC0) → ``train.tsv test.tsv *_slots.tsv dict.intents.csv
  dict.slots.csv`` for ``examples/nlp/joint_intent_slot.py``.
* sst2 (GLUE SST-2) → ``train.tsv dev.tsv`` (``sentence<TAB>label``) for
  ``examples/nlp/sentence_classification.py``.

Downloads need the network; everything else runs offline on an existing ``--source_dir``.
"""

import argparse
import io
import json
import os
import shutil
import sys
import urllib.request
import zipfile

from nemo.utils.atomic import atomic_path

SNIPS_URL = "https://github.com/snipsco/nlu-benchmark/archive/master.zip"
SST2_URL = "https://dl.fbaipublicfiles.com/glue/data/SST-2.zip"
SNIPS_INTENTS = ("AddToPlaylist", "BookRestaurant", "GetWeather", "PlayMusic", "RateBook", "SearchCreativeWork",
                 "SearchScreeningEvent")


def _write(path, text):
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)


def _download_zip(url, out_dir):
    print(f"downloading {url}")
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            archive = zipfile.ZipFile(io.BytesIO(response.read()))
    except OSError as error:
        sys.exit(f"cannot download {url} ({error}); download it elsewhere and pass --source_dir")
    target = os.path.join(out_dir, "source")
    archive.extractall(target)
    return target


def convert_conll2003(source_dir, out_dir):
    """eng.train/eng.testa/eng.testb (or train.txt/valid.txt/test.txt) → train/dev/test.txt."""
    names = {"train": ("eng.train", "train.txt"), "dev": ("eng.testa", "valid.txt", "dev.txt"),
             "test": ("eng.testb", "test.txt")}
    for split, candidates in names.items():
        found = next((os.path.join(source_dir, c) for c in candidates if os.path.isfile(os.path.join(source_dir, c))),
                     None)
        if found is None:
            sys.exit(f"{source_dir}: none of {candidates} found for the {split} split")
        lines = []
        with open(found, encoding="utf-8") as handle:
            for line in handle:
                columns = line.split()
                if not columns or columns[0] == "-DOCSTART-":
                    if lines and lines[-1] != "":
                        lines.append("")
                    continue
                lines.append(f"{columns[0]}\t{columns[-1]}")
        _write(os.path.join(out_dir, f"{split}.txt"), "\n".join(lines).strip("\n") + "\n\n")


def convert_snips(source_dir, out_dir):
    """The benchmark's per-intent JSON files → joint intent/slot layout (IOB slots)."""
    root = next((os.path.join(d, "2017-06-custom-intent-engines") for d, subdirs, _ in os.walk(source_dir)
                 if "2017-06-custom-intent-engines" in subdirs), None)
    if root is None:
        sys.exit(f"{source_dir}: no 2017-06-custom-intent-engines folder (the Snips nlu-benchmark layout)")
    splits = {"train": [], "test": []}
    for intent_id, intent in enumerate(SNIPS_INTENTS):
        for split, pattern in (("train", "train_{}_full.json"), ("test", "validate_{}.json")):
            with open(os.path.join(root, intent, pattern.format(intent)), encoding="latin-1") as handle:
                for query in json.load(handle)[intent]:
                    words, slots = [], []
                    for chunk in query["data"]:
                        chunk_words = chunk["text"].lower().split()
                        entity = chunk.get("entity")
                        words += chunk_words
                        slots += [("B-" if i == 0 else "I-") + entity if entity else "O"
                                  for i in range(len(chunk_words))]
                    if words:
                        splits[split].append((" ".join(words), intent_id, slots))
    slot_names = ["O"] + sorted({s for rows in splits.values() for _, _, slots in rows for s in slots} - {"O"})
    _write(os.path.join(out_dir, "dict.intents.csv"), "".join(i + "\n" for i in SNIPS_INTENTS))
    _write(os.path.join(out_dir, "dict.slots.csv"), "".join(s + "\n" for s in slot_names))
    for split, rows in splits.items():
        _write(os.path.join(out_dir, f"{split}.tsv"),
               "sentence\tlabel\n" + "".join(f"{text}\t{intent}\n" for text, intent, _ in rows))
        _write(os.path.join(out_dir, f"{split}_slots.tsv"),
               "".join(" ".join(str(slot_names.index(s)) for s in slots) + "\n" for _, _, slots in rows))


def convert_sst2(source_dir, out_dir):
    """GLUE SST-2's train.tsv/dev.tsv already are ``sentence<TAB>label``: copy them."""
    folder = next((d for d, _, files in os.walk(source_dir) if "train.tsv" in files and "dev.tsv" in files), None)
    if folder is None:
        sys.exit(f"{source_dir}: no folder with SST-2's train.tsv and dev.tsv")
    for split in ("train", "dev"):
        shutil.copyfile(os.path.join(folder, f"{split}.tsv"), os.path.join(out_dir, f"{split}.tsv"))


CONVERTERS = {"conll2003": (convert_conll2003, None), "snips": (convert_snips, SNIPS_URL),
              "sst2": (convert_sst2, SST2_URL)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", required=True, choices=sorted(CONVERTERS))
    parser.add_argument("--out_dir", required=True)
    parser.add_argument("--source_dir", default=None, help="already downloaded files")
    parser.add_argument("--download", action="store_true", help="download the public sets (snips, sst2)")
    args = parser.parse_args(argv)
    convert, url = CONVERTERS[args.dataset]
    os.makedirs(args.out_dir, exist_ok=True)
    if args.download:
        if url is None:
            sys.exit(f"{args.dataset} cannot be downloaded automatically (licence); pass --source_dir")
        source = _download_zip(url, args.out_dir)
    elif args.source_dir:
        source = args.source_dir
    else:
        sys.exit("give --source_dir or --download")
    convert(source, args.out_dir)
    print(f"{args.dataset} written to {args.out_dir}")


if __name__ == "__main__":
    main()
