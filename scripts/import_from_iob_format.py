"""Convert CoNLL/IOB files (``WORD ... LABEL`` per line, blank line between sentences)
to the 0.10 layout: ``text_<name>.txt`` (a sentence a line) and ``labels_<name>.txt``.

    python scripts/import_from_iob_format.py --data_file data/conll2003/train.txt
    # writes data/conll2003/text_train.txt and data/conll2003/labels_train.txt
"""

import argparse
import os
import sys

from nemo.utils.atomic import atomic_path
from nemo_nlp.data.datasets import read_conll


def convert(data_file, output_dir=None):
    """Write the two files next to ``data_file`` (or into ``output_dir``); returns their paths."""
    sentences = read_conll(data_file)
    output_dir = output_dir or os.path.dirname(os.path.abspath(data_file))
    stem = os.path.splitext(os.path.basename(data_file))[0]
    paths = os.path.join(output_dir, f"text_{stem}.txt"), os.path.join(output_dir, f"labels_{stem}.txt")
    os.makedirs(output_dir, exist_ok=True)
    for path, column in zip(paths, (0, 1)):
        with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8") as handle:
            handle.write("".join(" ".join(sentence[column]) + "\n" for sentence in sentences))
    return paths


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data_file", required=True, help="CoNLL/IOB file to convert")
    parser.add_argument("--output_dir", default=None, help="where to write (default: beside the data file)")
    args = parser.parse_args(argv)
    if not os.path.isfile(args.data_file):
        sys.exit(f"--data_file {args.data_file} does not exist")
    text, labels = convert(args.data_file, args.output_dir)
    print(f"wrote {text} and {labels}")


if __name__ == "__main__":
    main()
