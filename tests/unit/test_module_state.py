"""Portable module state: save/restore, freeze, tie, YAML configs."""

import pytest
import torch

from nemo.backends.pytorch import TrainableNM
from nemo.backends.pytorch.checkpoint import CheckpointError
from nemo.backends.pytorch.tutorials import RealFunctionDataLayer, TaylorNet
from nemo.core import NeuralModule
from nemo.core.neural_types import ChannelType, NeuralType


class Pair(TrainableNM):
    """Two linear layers. Ports: ``x`` (B, D) → ``y`` (B, D)."""

    def __init__(self, size=3, activation="relu", name=None):
        super().__init__(name=name)
        self.first = torch.nn.Linear(size, size)
        self.second = torch.nn.Linear(size, size)

    @property
    def input_ports(self):
        return {"x": NeuralType(("B", "D"), ChannelType())}

    @property
    def output_ports(self):
        return {"y": NeuralType(("B", "D"), ChannelType())}

    def forward(self, x):
        return self.second(self.first(x))


def test_save_to_restore_from_roundtrip(tmp_path):
    net = TaylorNet(dim=5)
    path = tmp_path / "taylor.pt"
    net.save_to(str(path))
    other = TaylorNet(dim=5)
    other.restore_from(str(path), local_rank=0)
    assert all(torch.equal(a, b) for a, b in zip(net.parameters(), other.parameters()))
    assert not list(tmp_path.glob(".*tmp"))


def test_restore_errors_name_file_and_keys(tmp_path):
    net = TaylorNet(dim=5)
    with pytest.raises(CheckpointError, match="not found"):
        net.restore_from(str(tmp_path / "missing.pt"))
    Pair().save_to(str(tmp_path / "pair.pt"))
    with pytest.raises(CheckpointError, match="pair.pt.*missing keys"):
        net.restore_from(str(tmp_path / "pair.pt"))


def test_freeze_unfreeze_and_num_weights():
    net = Pair(size=3)
    assert net.num_weights == 2 * (9 + 3)
    net.freeze()
    assert net.num_weights == 0
    net.unfreeze(["second.weight"])
    assert net.num_weights == 9
    with pytest.raises(KeyError, match="no weight"):
        net.freeze(["nonexistent"])


def test_tie_weights_share_one_tensor():
    a, b = Pair(size=3), Pair(size=3)
    b.tie_weights_with(a, ["first.weight"])
    assert b.first.weight is a.first.weight
    with torch.no_grad():
        a.first.weight.fill_(2.0)
    assert torch.all(b.first.weight == 2.0)


def test_export_and_import_config(tmp_path):
    net = Pair(size=4, activation="tanh", name="pair_a")
    path = tmp_path / "pair.yaml"
    net.export_to_config(str(path))
    text = path.read_text()
    assert "test_module_state.Pair" in text and "activation: tanh" in text
    rebuilt = NeuralModule.import_from_config(str(path), name="pair_b")
    assert isinstance(rebuilt, Pair) and rebuilt.name == "pair_b"
    assert rebuilt.init_params["size"] == 4 and rebuilt.first.in_features == 4


def test_import_refuses_non_module_classes(tmp_path):
    path = tmp_path / "evil.yaml"
    path.write_text("header:\n  full_spec: os.system\ninit_params:\n  command: echo hacked\n")
    with pytest.raises(ValueError, match="not a NeuralModule subclass"):
        NeuralModule.import_from_config(str(path))
    path.write_text("just: a mapping\n")
    with pytest.raises(ValueError, match="full_spec"):
        NeuralModule.import_from_config(str(path))


def test_init_params_recorded_with_defaults():
    layer = RealFunctionDataLayer(n=10, batch_size=2)
    assert layer.init_params["n"] == 10 and layer.init_params["x_lo"] == -4
    assert layer.local_parameters == layer.init_params


def test_restore_with_wrong_shapes_names_file_and_module(tmp_path):
    TaylorNet(dim=5).save_to(str(tmp_path / "five.pt"))
    with pytest.raises(CheckpointError, match="(?s)five.pt does not fit module .*shape mismatch"):
        TaylorNet(dim=3).restore_from(str(tmp_path / "five.pt"))
