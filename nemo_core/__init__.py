"""NeMo: neural modules for conversational AI, as typed lazy DAGs on PyTorch."""

from . import backends, core, utils

__version__ = "0.11.0"
__all__ = ["backends", "core", "utils", "__version__"]
