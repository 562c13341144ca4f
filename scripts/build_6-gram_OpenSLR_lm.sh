#!/usr/bin/env bash
# Build the 6-gram LibriSpeech LM from OpenSLR's normalised LM corpus (resource 11), when it is on disk:
#   scripts/build_6-gram_OpenSLR_lm.sh <librispeech-lm-norm.txt[.gz]> <out_dir> [labels_yaml]
# Uses KenLM's lmplz (then build_binary) when installed; otherwise scripts/build_lm.py (pure Python:
# fine for small corpora, far too slow and large for the full 800M-word text).
set -euo pipefail
corpus=${1:?usage: $0 <librispeech-lm-norm.txt[.gz]> <out_dir> [labels_yaml]}
out_dir=${2:?usage: $0 <librispeech-lm-norm.txt[.gz]> <out_dir> [labels_yaml]}
labels=${3:-$(dirname "$0")/../examples/asr/configs/jasper12x1SEP.yaml}
[ -f "$corpus" ] || { echo "corpus not found: $corpus (download resource 11 from OpenSLR first)" >&2; exit 1; }
mkdir -p "$out_dir"
text="$out_dir/lm_text.txt"
case "$corpus" in
  *.gz) gzip -dc "$corpus" | tr '[:upper:]' '[:lower:]' > "$text.tmp" ;;
  *) tr '[:upper:]' '[:lower:]' < "$corpus" > "$text.tmp" ;;
esac
mv "$text.tmp" "$text"
if command -v lmplz > /dev/null; then
  lmplz -o 6 --prune 0 0 1 < "$text" > "$out_dir/6-gram.arpa.tmp" && mv "$out_dir/6-gram.arpa.tmp" "$out_dir/6-gram.arpa"
  if command -v build_binary > /dev/null; then build_binary "$out_dir/6-gram.arpa" "$out_dir/6-gram.binary"; fi
else
  echo "lmplz not found: building with scripts/build_lm.py (pure Python)" >&2
  python "$(dirname "$0")/build_lm.py" --text "$text" --order 6 --out "$out_dir/6-gram.arpa" --labels_from "$labels"
fi
echo "LM in $out_dir"
