"""Lazy graph building: NmTensors, port checks, naming, planning."""

import pytest
import torch

import nemo
from nemo.backends.pytorch import LossNM, NonTrainableNM, TrainableNM
from nemo.backends.pytorch.tutorials import MSELoss, RealFunctionDataLayer, TaylorNet
from nemo.core import GraphError, ModuleCallError, NmTensor, plan_graph
from nemo.core.neural_types import (
    AxisKind,
    AxisType,
    ChannelType,
    LossType,
    MelSpectrogramType,
    NeuralPortNmTensorMismatchError,
    NeuralType,
    SpectrogramType,
)


class Spec(NonTrainableNM):
    """Output port: ``spec`` (B, D, T) of a configurable element type."""

    def __init__(self, element=None, name=None):
        super().__init__(name=name)
        self._element = element or SpectrogramType()

    @property
    def input_ports(self):
        return {"x": NeuralType(("B", "D"), ChannelType())}

    @property
    def output_ports(self):
        return {"spec": NeuralType(("B", "D", "T"), self._element)}

    def forward(self, x):
        return x.unsqueeze(-1)


class NeedsSpec(TrainableNM):
    """Input port: ``spec`` (B, D, T) SpectrogramType; output ``out``."""

    @property
    def input_ports(self):
        return {"spec": NeuralType(("B", "D", "T"), SpectrogramType()),
                "extra": NeuralType(("B", "D"), ChannelType(), optional=True)}

    @property
    def output_ports(self):
        return {"out": NeuralType(("B", "D"), ChannelType())}

    def forward(self, spec, extra=None):
        return spec.mean(-1)


def test_calls_return_nmtensors_and_compute_nothing():
    dl = RealFunctionDataLayer(n=8, batch_size=4)
    net = TaylorNet(dim=3)
    before = [p.clone() for p in net.parameters()]
    x, y = dl()
    pred = net(x=x)
    loss = MSELoss()(predictions=pred, target=y)
    assert all(isinstance(t, NmTensor) for t in (x, y, pred, loss))
    assert loss.producer_args["predictions"] is pred
    assert pred.producer is net and pred.name == "y_pred"
    assert all(torch.equal(a, b) for a, b in zip(before, net.parameters()))


def test_unique_names_start_with_port_and_differ_per_call():
    dl = RealFunctionDataLayer(n=8, batch_size=4)
    net = TaylorNet(dim=3, name="taylor")
    x, _ = dl()
    first, second = net(x=x), net(x=x)
    assert first.unique_name == "y_pred~~~taylor"
    assert second.unique_name.startswith("y_pred~~~taylor")
    assert first.unique_name != second.unique_name


def test_module_names_are_unique_per_class():
    a, b = TaylorNet(dim=2), TaylorNet(dim=2)
    assert a.name != b.name
    assert a.name.startswith("taylornet") and b.name.startswith("taylornet")  # 0.11 names
    assert TaylorNet(dim=2, name="mine").name == "mine"


def test_wrong_type_raises_naming_module_port_and_types():
    dl = RealFunctionDataLayer(n=8, batch_size=4)
    x, y = dl()
    net = NeedsSpec(name="consumer")
    with pytest.raises(NeuralPortNmTensorMismatchError) as info:
        net(spec=x)
    message = str(info.value)
    assert "consumer" in message and "'spec'" in message
    assert "SpectrogramType" in message and "ChannelType" in message


def test_subclass_element_accepted_parent_rejected():
    x, _ = RealFunctionDataLayer(n=8, batch_size=4)()
    mel = Spec(element=MelSpectrogramType())(x=x)
    assert isinstance(NeedsSpec()(spec=mel), NmTensor)

    class NeedsMel(NeedsSpec):
        @property
        def input_ports(self):
            return {"spec": NeuralType(("B", "D", "T"), MelSpectrogramType())}

    plain = Spec()(x=x)
    with pytest.raises(NeuralPortNmTensorMismatchError, match="GREATER"):
        NeedsMel()(spec=plain)


def test_transposed_axes_rejected_with_hint():
    x, _ = RealFunctionDataLayer(n=8, batch_size=4)()

    class TimeFirst(Spec):
        @property
        def output_ports(self):
            return {"spec": NeuralType(("B", "T", "D"), SpectrogramType())}

    with pytest.raises(NeuralPortNmTensorMismatchError, match="transpose"):
        NeedsSpec()(spec=TimeFirst()(x=x))


def test_missing_and_unknown_ports_are_errors():
    x, _ = RealFunctionDataLayer(n=8, batch_size=4)()
    net = NeedsSpec(name="n0")
    with pytest.raises(ModuleCallError, match="required input port 'spec'"):
        net(extra=x)
    with pytest.raises(ModuleCallError, match="unknown input port"):
        net(spec=Spec()(x=x), nonsense=x)
    with pytest.raises(ModuleCallError, match="expected an NmTensor"):
        TaylorNet(dim=2)(x=x, **{})  # fine
        net(spec=Spec()(x=x), extra=3)


def test_optional_port_may_be_omitted():
    x, _ = RealFunctionDataLayer(n=8, batch_size=4)()
    assert isinstance(NeedsSpec()(spec=Spec()(x=x)), NmTensor)


def test_axis_any_and_void_accept_anything():
    x, _ = RealFunctionDataLayer(n=8, batch_size=4)()

    class Anything(NonTrainableNM):
        @property
        def input_ports(self):
            return {"x": NeuralType((AxisType(AxisKind.Any), AxisType(AxisKind.Any)))}

        @property
        def output_ports(self):
            return {"y": NeuralType(elements_type=LossType())}

        def forward(self, x):
            return x.sum()

    assert isinstance(Anything()(x=x), NmTensor)


def test_module_is_a_plain_nn_module_outside_graphs():
    net = TaylorNet(dim=3)
    x = torch.tensor([[2.0]])
    with torch.no_grad():
        net.fc1.weight.copy_(torch.tensor([[1.0, 2.0, 3.0]]))
        net.fc1.bias.zero_()
    assert net.forward(x).item() == pytest.approx(1 + 4 + 12)
    assert net(x=x).item() == pytest.approx(17.0)
    assert net(x).item() == pytest.approx(17.0)


def test_plan_orders_calls_and_needs_one_data_layer():
    dl = RealFunctionDataLayer(n=8, batch_size=4)
    net, loss_nm = TaylorNet(dim=2), MSELoss()
    x, y = dl()
    loss = loss_nm(predictions=net(x=x), target=y)
    plan = plan_graph([loss])
    assert [c.module for c in plan.calls] == [dl, net, loss_nm]
    assert plan.data_layer is dl
    x2, y2 = RealFunctionDataLayer(n=8, batch_size=4)()

    class Add(LossNM):
        @property
        def input_ports(self):
            return {"a": NeuralType(elements_type=LossType()), "b": NeuralType(elements_type=LossType())}

        @property
        def output_ports(self):
            return {"loss": NeuralType(elements_type=LossType())}

        def _loss_function(self, a, b):
            return a + b

    mixed = Add()(a=loss, b=loss_nm(predictions=net(x=x2), target=y2))
    with pytest.raises(GraphError, match="exactly one data layer; found 2"):
        plan_graph([mixed])


def test_unknown_constructor_argument_is_an_error():
    with pytest.raises(TypeError, match="unknown constructor argument"):
        nemo.backends.pytorch.common.MSELoss(colour="red")


def test_legacy_create_ports_modules_build_graphs():
    from nemo.core.neural_types import AxisType, BatchTag, ChannelTag

    class OldStyle(TrainableNM):
        @staticmethod
        def create_ports():
            ports = {"x": NeuralType({0: AxisType(BatchTag), 1: AxisType(ChannelTag)})}
            return ports, {"y": NeuralType({0: AxisType(BatchTag), 1: AxisType(ChannelTag)})}

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.fc = torch.nn.Linear(1, 1)

        def forward(self, x):
            return self.fc(x)

    x, _ = RealFunctionDataLayer(n=8, batch_size=4)()
    old = OldStyle()
    y = old(x=x)
    assert isinstance(y, NmTensor) and y.name == "y"
    assert list(old.input_ports) == ["x"]
