"""``import nemo.collections.asr`` gives the ``nemo_asr`` package itself."""

import sys

import nemo_asr

sys.modules[__name__] = nemo_asr
