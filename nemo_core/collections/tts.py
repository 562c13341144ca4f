"""``import nemo.collections.tts`` gives the ``nemo_tts`` package itself."""

import sys

import nemo_tts

sys.modules[__name__] = nemo_tts
