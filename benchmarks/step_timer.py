"""A callback that stamps the wall time at the end of every training step (for the benchmarks)."""

import time

import nemo


class StepTimer(nemo.core.ActionCallback):
    """``stamps``: ``time.perf_counter()`` after each optimizer step."""

    def __init__(self):
        super().__init__()
        self.stamps = []

    def on_iteration_end(self):
        self.stamps.append(time.perf_counter())
