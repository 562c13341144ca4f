"""Utilities: learning-rate policies, argument parsing, logging, atomic files."""

from . import lr_policies
from .argparse import NemoArgParser
from .exp_logging import get_logger
from .lr_policies import AVAILABLE_SCHEDULERS, get_lr_policy, register_scheduler
from .nemo_logging import LogMode, logging

__all__ = ["AVAILABLE_SCHEDULERS", "LogMode", "NemoArgParser", "get_logger", "get_lr_policy", "logging",
           "lr_policies", "register_scheduler"]
