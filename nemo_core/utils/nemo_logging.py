"""``nemo.logging`` (also ``from nemo.utils import logging``): the toolkit's logger, 0.11 style.

``logging.info(msg)``, ``.warning``, ``.error``, ``.debug``, ``.critical``;
``logging.set_verbosity(logging.DEBUG)``; ``logging.info(msg, mode=LogMode.ONCE)``
logs a message the first time only. Ranks > 0 log warnings and errors unless
``set_verbosity`` asks for more.
"""

import enum
import logging as _std_logging

from .exp_logging import get_logger

__all__ = ["LogMode", "Logger", "logging"]


class LogMode(enum.IntEnum):
    EACH = 0  # log every time
    ONCE = 1  # log a given message once per process


class Logger:
    """A wrapper of the ``nemo`` standard logger with log modes and verbosity."""

    CRITICAL = _std_logging.CRITICAL
    ERROR = _std_logging.ERROR
    WARNING = _std_logging.WARNING
    INFO = _std_logging.INFO
    DEBUG = _std_logging.DEBUG
    NOTSET = _std_logging.NOTSET

    def __init__(self, name="nemo"):
        self._logger = get_logger(name=name)
        self._logged_once = set()

    def set_verbosity(self, level):
        self._logger.setLevel(level)

    def get_verbosity(self):
        return self._logger.getEffectiveLevel()

    def _log(self, level, msg, args, kwargs):
        mode = kwargs.pop("mode", LogMode.EACH)
        if mode == LogMode.ONCE:
            key = (level, str(msg))
            if key in self._logged_once:
                return
            self._logged_once.add(key)
        kwargs.setdefault("stacklevel", 3)
        self._logger.log(level, msg, *args, **kwargs)

    def debug(self, msg, *args, **kwargs):
        self._log(self.DEBUG, msg, args, kwargs)

    def info(self, msg, *args, **kwargs):
        self._log(self.INFO, msg, args, kwargs)

    def warning(self, msg, *args, **kwargs):
        self._log(self.WARNING, msg, args, kwargs)

    warn = warning

    def error(self, msg, *args, **kwargs):
        self._log(self.ERROR, msg, args, kwargs)

    def critical(self, msg, *args, **kwargs):
        self._log(self.CRITICAL, msg, args, kwargs)

    def exception(self, msg, *args, **kwargs):
        kwargs.setdefault("exc_info", True)
        self._log(self.ERROR, msg, args, kwargs)

    def __getattr__(self, name):
        """Everything else (handlers, setLevel, propagate, ...) is the standard logger's."""
        return getattr(self._logger, name)

    def __setattr__(self, name, value):
        if name.startswith("_"):
            object.__setattr__(self, name, value)
        else:
            setattr(self._logger, name, value)


logging = Logger()
