"""Neural graphs (0.11 API): recording, binding, nesting, configs, weights, training."""

import pytest
import torch

import nemo
from nemo.backends.pytorch.tutorials import MSELoss, RealFunctionDataLayer, TaylorNet
from nemo.core import NeuralGraph, NeuralModule, OperationMode
from nemo.utils.app_state import AppState


def _factory(tmp_path):
    return nemo.core.NeuralModuleFactory(placement=nemo.core.DeviceType.CPU, log_dir=str(tmp_path / "log"),
                                         random_seed=0)


def test_records_calls_and_default_outputs():
    dl, net, mse = RealFunctionDataLayer(n=8, batch_size=4), TaylorNet(dim=3), MSELoss()
    with NeuralGraph(operation_mode=OperationMode.training, name="g_default") as g:
        x, y = dl()
        loss = mse(predictions=net(x=x), target=y)
    assert [call.module for call in g.steps] == [dl, net, mse]
    assert list(g.outputs) == ["loss"] and g.output_tensors["loss"] is loss
    assert AppState().graphs["g_default"] is g and AppState().modules[net.name] is net
    text = g.summary()
    assert "Steps:" in text and f"{net.name}(x=0.x)" in text and "loss: 2.loss" in text


def test_input_binding_nesting_and_module_called_twice():
    net = TaylorNet(dim=2)
    with NeuralGraph(name="twice") as model:
        model.inputs["x"] = net.input_ports["x"]
        first = net(x=model.inputs["x"])
        second = net(x=first)  # chained on its own output
        model.outputs["y"] = second
    assert len(model.steps) == 2 and list(model.outputs) == ["y"]
    with NeuralGraph(name="default_binding") as by_port:
        net(x=by_port)
    assert list(by_port.inputs) == ["x"]
    dl = RealFunctionDataLayer(n=8, batch_size=4)
    with NeuralGraph(name="outer") as outer:
        x, y = dl()
        prediction = model(x=x)
    assert len(outer.steps) == 3  # the data layer and the two flattened net calls
    assert prediction.call.module is net and prediction.call.inputs["x"].call.module is net
    with pytest.raises(TypeError, match="missing input"):
        model()


def test_nested_graph_trains_like_the_flat_dag(tmp_path):
    def train(nested):
        nf = _factory(tmp_path / str(nested))
        torch.manual_seed(0)
        dl, net, mse = RealFunctionDataLayer(n=32, batch_size=8), TaylorNet(dim=4), MSELoss()
        if nested:
            with NeuralGraph(name=f"model_{tmp_path.name}") as model:
                net(x=model)
            with NeuralGraph(operation_mode="training") as training:
                x, y = dl()
                mse(predictions=model(x=x), target=y)
            nf.train(training_graph=training, optimizer="sgd", optimization_params={"max_steps": 6, "lr": 0.01})
        else:
            x, y = dl()
            loss = mse(predictions=net(x=x), target=y)
            nf.train([loss], optimizer="sgd", optimization_params={"max_steps": 6, "lr": 0.01})
        return torch.cat([p.detach().flatten() for p in net.parameters()])

    assert torch.equal(train(nested=True), train(nested=False))


def test_serialize_round_trip_and_yaml(tmp_path):
    dl, net, mse = RealFunctionDataLayer(n=8, batch_size=4), TaylorNet(dim=3), MSELoss()
    with NeuralGraph(name="ser") as g:
        x, y = dl()
        p = net(x=x)
        g.outputs["loss"] = mse(predictions=p, target=y)
        g.outputs["prediction"] = p
    config = g.serialize()
    rebuilt = NeuralGraph.deserialize(config, name="ser")
    assert rebuilt.serialize() == config
    assert rebuilt.modules[net.name] is not net and rebuilt.modules[net.name].init_params["dim"] == 3
    reused = NeuralGraph.deserialize(config, reuse_existing_modules=True, name="ser")
    assert reused.modules[net.name] is net
    with pytest.raises(ValueError, match="cannot write graph ser .*sin"):  # f=torch.sin is no YAML value
        g.export_to_config(str(tmp_path / "g.yaml"))
    with NeuralGraph(name="model_yaml") as model:
        model.outputs["loss"] = mse(predictions=net(x=model), target=model)
    model.export_to_config(str(tmp_path / "model.yaml"))
    from_file = NeuralGraph.import_from_config(str(tmp_path / "model.yaml"), name="model_yaml")
    assert from_file.serialize() == model.serialize() and list(from_file.inputs) == ["x", "target"]


def test_graph_weights_save_restore_freeze(tmp_path):
    a, b = TaylorNet(dim=2), TaylorNet(dim=3)
    with NeuralGraph(name="weights") as g:
        a(x=g)
        b(x=g)
    g.save_to(str(tmp_path / "w.pt"))
    saved = {n: p.detach().clone() for n, p in b.named_parameters()}
    with torch.no_grad():
        for p in list(a.parameters()) + list(b.parameters()):
            p.add_(1.0)
    g.restore_from(str(tmp_path / "w.pt"), module_names=[b.name.upper()])  # any case spelling
    assert all(torch.equal(saved[n], p) for n, p in b.named_parameters())
    g.freeze(module_names=["TaylorNet"])  # the class name picks both
    assert a.is_frozen() and b.is_frozen()
    g.unfreeze([a.name])
    assert not a.is_frozen() and b.is_frozen()
    with pytest.raises(KeyError, match="has no module 'nope'"):
        g.freeze(["nope"])


def test_module_serialize_and_config_sections(tmp_path):
    net = TaylorNet(dim=5)
    assert TaylorNet.deserialize(net.serialize()).init_params["dim"] == 5
    model = tmp_path / "model.yaml"
    model.write_text("TaylorNet:\n  dim: 4\nOther:\n  header:\n    full_spec: nemo.backends.pytorch.tutorials.TaylorNet"
                     "\n  init_params:\n    dim: 2\n")
    assert TaylorNet.import_from_config(str(model), "TaylorNet").init_params["dim"] == 4
    assert NeuralModule.import_from_config(str(model), section_name="Other", name="other0").name == "other0"
    built = TaylorNet.import_from_config(str(model), "TaylorNet", overwrite_params={"dim": 7})
    assert built.init_params["dim"] == 7
    with pytest.raises(ValueError, match="no section 'Missing'"):
        TaylorNet.import_from_config(str(model), "Missing")
