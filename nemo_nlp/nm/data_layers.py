"""Data layers under their 0.10 import path."""

from ..data import BertTokenClassificationDataLayer

__all__ = ["BertTokenClassificationDataLayer"]
