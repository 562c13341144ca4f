"""Utilities: evaluation callbacks, metrics, local pretrained-model lookup."""

from . import callbacks, metrics
from .pretrained_files import OfflineModelError, resolve_model_dir

__all__ = ["OfflineModelError", "callbacks", "metrics", "resolve_model_dir"]
