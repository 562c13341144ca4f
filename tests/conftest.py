"""Shared fixtures: ``host_syncs`` counts host-device synchronisations during training steps."""

import pytest
import torch

import nemo

# Tensor methods that wait for the device to read a value back, and GradScaler's scale read.
SYNCING_METHODS = [(torch.Tensor, name) for name in ("item", "__bool__", "__float__", "__int__", "tolist")]
SYNCING_METHODS.append((torch.amp.GradScaler, "get_scale"))


class HostSyncCounter:
    """Counts calls of :data:`SYNCING_METHODS` while active; ``callback()`` makes it active from
    each step's ``on_iteration_start`` to its ``on_iteration_end`` (forward, backward, optimizer step)."""

    def __init__(self):
        self.active = False
        self.calls = []
        self.steps = 0

    def wrap(self, method, name):
        def counted(*args, **kwargs):
            if self.active:
                self.calls.append(name)
            return method(*args, **kwargs)

        return counted

    def callback(self):
        counter = self

        class CountSyncsInSteps(nemo.core.ActionCallback):
            def on_iteration_start(self):
                counter.active = True

            def on_iteration_end(self):
                counter.active = False
                counter.steps += 1

        return CountSyncsInSteps()

    @property
    def per_step(self):
        return len(self.calls) / max(1, self.steps)


@pytest.fixture
def host_syncs(monkeypatch):
    counter = HostSyncCounter()
    for owner, name in SYNCING_METHODS:
        monkeypatch.setattr(owner, name, counter.wrap(getattr(owner, name), f"{owner.__name__}.{name}"))
    return counter
