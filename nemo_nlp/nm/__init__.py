"""The 0.10/0.11 layout: ``nemo_nlp.nm.data_layers``, ``.trainables``, ``.losses``."""

from . import data_layers, losses, trainables

__all__ = ["data_layers", "losses", "trainables"]
