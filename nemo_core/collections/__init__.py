"""Later-legacy import paths: ``nemo.collections.asr`` is the ``nemo_asr`` package."""
