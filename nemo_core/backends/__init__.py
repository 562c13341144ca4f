"""Execution backends (PyTorch)."""

from . import pytorch

__all__ = ["pytorch"]
