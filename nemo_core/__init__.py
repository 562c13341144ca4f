"""NeMo: neural modules for conversational AI, as typed lazy DAGs on PyTorch."""

from . import backends, core, utils
from .utils.nemo_logging import logging  # legacy ``nemo.logging``: the toolkit's logger
__version__ = "0.11.0"
__all__ = ["backends", "core", "logging", "utils", "__version__"]
