"""deployment_export: TorchScript, ONNX and PyTorch files, loaded back and run."""
import os

import onnxruntime
import pytest
import torch
from torch import nn

import nemo
from nemo.backends.pytorch.export import ExportError
from nemo.backends.pytorch.nm import TrainableNM
from nemo.backends.pytorch.tutorials import TaylorNet
from nemo.core import DeploymentFormat
from nemo.core.neural_types import ChannelType, LengthsType, NeuralType


class MaskedProjection(TrainableNM):
    """Projects the frames inside each length, zeroes the rest, halves the lengths.

    Input ports: ``x`` (B, T, D), ``length`` (B,). Output ports: ``y`` (B, T, D), ``out_len`` (B,).
    """

    def __init__(self, dim=3, name=None):
        super().__init__(name=name)
        self.proj = nn.Linear(dim, dim)
        self.drop = nn.Dropout(0.5)

    @property
    def input_ports(self):
        return {"x": NeuralType(("B", "T", "D"), ChannelType()), "length": NeuralType(("B",), LengthsType())}

    @property
    def output_ports(self):
        return {"y": NeuralType(("B", "T", "D"), ChannelType()), "out_len": NeuralType(("B",), LengthsType())}

    def forward(self, x, length):
        mask = torch.arange(x.shape[1], device=x.device)[None, :] < length[:, None]
        return self.drop(self.proj(x)) * mask[:, :, None].to(x.dtype), length // 2


@pytest.fixture(scope="module")
def nf():
    return nemo.core.NeuralModuleFactory(placement=nemo.core.DeviceType.CPU)


def _ort(path):
    return onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])


def _close(a, b):
    return torch.allclose(torch.as_tensor(a), torch.as_tensor(b), rtol=1e-3, atol=1e-4)


def test_taylornet_torchscript_by_suffix(nf, tmp_path):
    net = TaylorNet(dim=4)
    path = nf.deployment_export(net, str(tmp_path / "taylor.ts"), input_example=torch.randn(5, 1))
    assert path == str(tmp_path / "taylor.ts")
    assert os.listdir(tmp_path) == ["taylor.ts"]
    x = torch.randn(7, 1)
    with torch.no_grad():
        assert _close(torch.jit.load(path)(x), net(x=x))


def test_taylornet_onnx_by_suffix(nf, tmp_path):
    net = TaylorNet(dim=4)
    path = nf.deployment_export(net, tmp_path / "taylor.onnx", DeploymentFormat.AUTO, (torch.randn(5, 1),))
    assert os.listdir(tmp_path) == ["taylor.onnx"]
    session = _ort(path)
    assert [i.name for i in session.get_inputs()] == ["x"]
    assert [o.name for o in session.get_outputs()] == ["y_pred"]
    x = torch.randn(7, 1)
    with torch.no_grad():
        assert _close(session.run(None, {"x": x.numpy()})[0], net(x=x))


def test_two_port_onnx_has_dynamic_batch_and_time(nf, tmp_path):
    module = MaskedProjection()
    example = {"x": torch.randn(2, 5, 3), "length": torch.tensor([5, 3])}
    path = nf.deployment_export(module, str(tmp_path / "proj.onnx"), DeploymentFormat.ONNX, example)
    assert module.training and module.drop.training  # mode restored
    session = _ort(path)
    assert [i.name for i in session.get_inputs()] == ["x", "length"]
    x, length = torch.randn(4, 9, 3), torch.tensor([9, 1, 4, 6])
    y, out_len = session.run(["y", "out_len"], {"x": x.numpy(), "length": length.numpy()})
    module.eval()
    with torch.no_grad():
        want_y, want_len = module(x=x, length=length)
    assert y.shape == (4, 9, 3) and _close(y, want_y)
    assert out_len.tolist() == want_len.tolist()


def test_two_port_torchscript_from_dict_example(nf, tmp_path):
    module = MaskedProjection()
    example = {"length": torch.tensor([4, 2]), "x": torch.randn(2, 4, 3)}
    path = nf.deployment_export(module, str(tmp_path / "proj.jit"), input_example=example)
    module.eval()
    x, length = torch.randn(2, 4, 3), torch.tensor([1, 3])
    with torch.no_grad():
        got, want = torch.jit.load(path)(x, length), module(x=x, length=length)
    assert all(_close(a, b) for a, b in zip(got, want))


def test_pytorch_format_writes_a_loadable_state_dict(nf, tmp_path):
    net = TaylorNet(dim=4)
    path = nf.deployment_export(net, str(tmp_path / "taylor.pt"))
    fresh = TaylorNet(dim=4)
    fresh.load_state_dict(torch.load(path, weights_only=True))
    assert torch.equal(fresh.fc1.weight, net.fc1.weight)


@pytest.mark.parametrize("name", ["bad.ts", "bad.onnx", "bad.pt"])
def test_mismatch_raises_and_leaves_no_file(nf, tmp_path, name):
    net = TaylorNet(dim=4, name="Taylor")
    x = torch.randn(3, 1)
    with pytest.raises(ExportError, match=r"Taylor.*'y_pred'.*max abs difference"):
        nf.deployment_export(net, str(tmp_path / name), input_example=x, output_example=torch.full((3, 1), 99.0))
    assert os.listdir(tmp_path) == []


def test_unknown_suffix_is_rejected(nf, tmp_path):
    with pytest.raises(ValueError, match=r"'\.txt'.*\.onnx"):
        nf.deployment_export(TaylorNet(dim=4), str(tmp_path / "model.txt"), input_example=torch.randn(2, 1))


def test_missing_input_example_is_rejected(nf, tmp_path):
    with pytest.raises(ValueError, match=r"input_example is required.*TaylorNoExample.*ONNX"):
        nf.deployment_export(TaylorNet(dim=4, name="TaylorNoExample"), str(tmp_path / "m.onnx"))
    assert os.listdir(tmp_path) == []


class SignSwitch(TrainableNM):
    """Doubles ``x`` when its sum is positive: data-dependent, so torch.export refuses it.

    Input port: ``x`` (B, D). Output port: ``y`` (B, D).
    """

    def __init__(self, name=None):
        super().__init__(name=name)
        self.scale = nn.Parameter(torch.tensor(2.0))

    @property
    def input_ports(self):
        return {"x": NeuralType(("B", "D"), ChannelType())}

    @property
    def output_ports(self):
        return {"y": NeuralType(("B", "D"), ChannelType())}

    def forward(self, x):
        return x * self.scale if bool(x.sum() > 0) else x


@pytest.mark.filterwarnings("ignore::torch.jit.TracerWarning")
def test_onnx_falls_back_to_the_torchscript_exporter(nf, tmp_path):
    x = torch.ones(2, 3)
    path = nf.deployment_export(SignSwitch(), str(tmp_path / "switch.onnx"), input_example=x)
    y = _ort(path).run(None, {"x": torch.full((4, 3), 3.0).numpy()})[0]
    assert _close(y, torch.full((4, 3), 6.0))


def test_example_missing_a_port_is_rejected(nf, tmp_path):
    with pytest.raises(ValueError, match=r"(?i)MaskedProjection.*missing \['length'\]"):
        nf.deployment_export(MaskedProjection(), str(tmp_path / "m.ts"), input_example={"x": torch.randn(1, 2, 3)})
