"""The toolkit's logger: console on every rank, a text file in ``log_dir`` on rank 0."""

import logging
import os
import sys

__all__ = ["get_logger"]

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class _ConsoleHandler(logging.StreamHandler):
    """Console lines written through ``tqdm.write``, so they never run into a progress bar."""

    def emit(self, record):
        try:
            from tqdm import tqdm

            tqdm.write(self.format(record), file=self.stream)
        except Exception:  # noqa: BLE001  logging must not raise
            self.handleError(record)


def get_logger(log_dir=None, global_rank=0, name="nemo"):
    """Return the ``nemo`` logger (info on rank 0, warnings only elsewhere); rank 0 also
    writes ``<log_dir>/log_globalrank-0.txt``."""
    logger = logging.getLogger(name)
    logger.setLevel(logging.INFO if global_rank == 0 else logging.WARNING)
    logger.propagate = False
    if not any(getattr(h, "_nemo_console", False) for h in logger.handlers):
        console = _ConsoleHandler(sys.stdout)
        console.setFormatter(logging.Formatter(_FORMAT, "%H:%M:%S"))
        console._nemo_console = True
        logger.addHandler(console)
    for handler in [h for h in logger.handlers if getattr(h, "_nemo_file", False)]:
        logger.removeHandler(handler)
        handler.close()
    if log_dir is not None and global_rank == 0:
        os.makedirs(log_dir, exist_ok=True)
        file_handler = logging.FileHandler(os.path.join(log_dir, f"log_globalrank-{global_rank}.txt"))
        file_handler.setFormatter(logging.Formatter(_FORMAT))
        file_handler._nemo_file = True
        logger.addHandler(file_handler)
    return logger
