"""``import nemo.collections.nlp`` gives the ``nemo_nlp`` package itself."""

import sys

import nemo_nlp

sys.modules[__name__] = nemo_nlp
