"""0.9-0.11 user code: nemo.logging, custom module conveniences, weight sharing, eager calls."""

import logging as std_logging

import pytest
import torch
from torch import nn

import nemo
from nemo.backends.pytorch import TrainableNM
from nemo.backends.pytorch.tutorials import RealFunctionDataLayer
from nemo.core import WeightShareTransform
from nemo.core.neural_types import ChannelType, NeuralType
from nemo.utils import logging
from nemo.utils.exp_logging import get_logger
from nemo.utils.nemo_logging import LogMode


@pytest.fixture
def log_records():
    records = []

    class Collect(std_logging.Handler):
        def emit(self, record):
            records.append((record.levelno, record.getMessage()))

    handler = Collect()
    logging.addHandler(handler)
    level = logging.get_verbosity()
    yield records
    logging.removeHandler(handler)
    logging.set_verbosity(level)


def test_logging_object_modes_and_verbosity(log_records):
    assert nemo.logging is logging
    logging.info("every time")
    logging.info("every time")
    logging.warning("just once", mode=LogMode.ONCE)
    logging.warning("just once", mode=LogMode.ONCE)
    logging.debug("hidden at INFO")
    logging.set_verbosity(logging.DEBUG)
    logging.debug("shown at DEBUG")
    messages = [m for _, m in log_records]
    assert messages == ["every time", "every time", "just once", "shown at DEBUG"]


def test_ranks_above_zero_log_warnings_only(log_records):
    get_logger(global_rank=1)
    try:
        logging.info("quiet on rank 1")
        logging.error("loud on rank 1")
    finally:
        get_logger(global_rank=0)
    assert [m for _, m in log_records] == ["loud on rank 1"]


class TwoHeads(TrainableNM):
    """Linear(2, 3) shared by two heads. Ports: ``x`` (B, 2) -> ``a`` (B, 3), ``b`` (B, 3)."""

    def __init__(self, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.fc = nn.Linear(2, 3)

    @property
    def input_ports(self):
        return {"x": NeuralType(("B", "D"), ChannelType())}

    @property
    def output_ports(self):
        return {"a": NeuralType(("B", "D"), ChannelType()), "b": NeuralType(("B", "D"), ChannelType())}

    def forward(self, x):
        y = self.fc(x)
        return y, -y


def test_legacy_constructor_arguments_device_and_frozen_state():
    module = TwoHeads(placement=nemo.core.DeviceType.CPU, pretrained_model_name=None, create_port_args={})
    assert module.placement == nemo.core.DeviceType.CPU and module._device == torch.device("cpu")
    assert not module.is_frozen()
    module.freeze()
    assert module.is_frozen()


def test_multi_output_call_is_a_namedtuple_and_force_pt_runs_eagerly():
    module = TwoHeads()
    features, _ = RealFunctionDataLayer(n=4, batch_size=2)()
    outputs = module(x=features)
    assert isinstance(outputs, tuple) and outputs._fields == ("a", "b")
    a, b = outputs
    assert outputs.a is a and outputs.b is b and a.name == "a"
    eager = module(x=torch.ones(1, 2), force_pt=True)
    assert torch.equal(eager[0], -eager[1])


def test_get_set_weights_with_transpose_and_tie_by_submodule_name():
    source, target = nn.Linear(3, 2), TwoHeads()
    weights = {"w": (source.weight.detach(), True)}
    target.set_weights(weights, {"w": ("fc.weight", WeightShareTransform.TRANSPOSE)})
    assert torch.equal(target.fc.weight, source.weight.t())
    got = target.get_weights()
    assert set(got) == {"fc.weight", "fc.bias"} and got["fc.bias"][1] is True
    with pytest.raises(ValueError, match=r"fc.weight has shape \(3, 2\), the given weight 'w' \(2, 3\)"):
        target.set_weights({"w": source.weight.detach()}, {"w": ("fc.weight", WeightShareTransform.SAME)})
    other = TwoHeads()
    target.tie_weights_with(other, ["fc"])  # the submodule name stands for fc.weight and fc.bias
    assert target.fc.weight is other.fc.weight and target.fc.bias is other.fc.bias
    with pytest.raises(ValueError, match="set_weights"):
        target.tie_weights_with(other, ["fc"], {"fc": ("fc", WeightShareTransform.TRANSPOSE)})


def test_optimizer_registry_reachable_from_core():
    from nemo.backends.pytorch.optimizers import AVAILABLE_OPTIMIZERS, register_optimizer

    assert nemo.core.AVAILABLE_OPTIMIZERS is AVAILABLE_OPTIMIZERS and nemo.core.register_optimizer is register_optimizer
