#!/usr/bin/env bash
# LM beam-search decoding (the legacy tutorial's "Install Baidu's CTC decoders" step): pyctcdecode, whose
# numpy<2 pin is stale (installed without its deps; pygtrie comes with the asr extra), and optionally KenLM
# for binary LM files (compiles from source: needs a C++ compiler, cmake, zlib/boost headers).
#   scripts/install_decoders.sh [--with-kenlm]
set -euo pipefail
pip install "pygtrie>=2.1" && pip install --no-deps pyctcdecode==0.5.0
if [ "${1:-}" = "--with-kenlm" ]; then
  pip install kenlm
fi
python -c "import pyctcdecode; print('pyctcdecode', pyctcdecode.__version__ if hasattr(pyctcdecode, '__version__') else 'ok')"
