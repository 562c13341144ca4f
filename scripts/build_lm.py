"""Build an ARPA word n-gram language model (interpolated Kneser-Ney) for CTC beam search.

    python scripts/build_lm.py --manifest tests/data/an4/train_manifest.json --order 3 --out an4_3gram.arpa
    python scripts/build_lm.py --text corpus.txt --order 6 --out lm.arpa --labels_from examples/asr/configs/jasper_an4.yaml

Text is normalised as the training transcripts are (numbers spelled out, lower case, characters
outside the model's labels dropped), so the LM's words are the words the acoustic model spells.
"""
import argparse
import json
import os
import sys

from ruamel.yaml import YAML

from nemo_asr.parts.ngram_lm import NgramModel, training_words

DEFAULT_LABELS = list(" abcdefghijklmnopqrstuvwxyz'")


def read_texts(text_files, manifests):
    """Lines of the text files and the ``text`` of every manifest line, with file:line on errors."""
    for path in text_files:
        with open(path, encoding="utf-8") as handle:
            yield from (line for line in handle if line.strip())
    for path in manifests:
        with open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    yield json.loads(line)["text"]
                except (json.JSONDecodeError, KeyError, TypeError):
                    raise SystemExit(f"{path}:{number}: expected a JSON object with a 'text' key") from None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--text", nargs="*", default=[], help="plain-text files, one sentence per line")
    parser.add_argument("--manifest", nargs="*", default=[], help="JSON-lines manifests; their 'text' is used")
    parser.add_argument("--order", type=int, default=3, help="n-gram order")
    parser.add_argument("--out", required=True, help="ARPA file to write")
    parser.add_argument("--labels_from", default=None, help="model YAML whose 'labels' define the characters kept")
    parser.add_argument("--no_normalize", action="store_true", help="keep the text as is (only lower-cased)")
    args = parser.parse_args(argv)
    if not args.text and not args.manifest:
        parser.error("give --text and/or --manifest")
    for path in args.text + args.manifest:
        if not os.path.isfile(path):
            parser.error(f"file not found: {path}")
    labels = DEFAULT_LABELS
    if args.labels_from:
        with open(args.labels_from) as handle:
            labels = list(YAML(typ="safe").load(handle)["labels"])
    sentences = [training_words(t, labels, normalize=not args.no_normalize) for t in read_texts(args.text, args.manifest)]
    model = NgramModel.kneser_ney([s for s in sentences if s], args.order)
    model.write_arpa(args.out)
    sizes = ", ".join(f"{len(level)} {n}-grams" for n, level in enumerate(model.probs, start=1))
    print(f"wrote {args.out}: order {args.order}, {len(sentences)} sentences, {sizes}", file=sys.stderr)


if __name__ == "__main__":
    main()
