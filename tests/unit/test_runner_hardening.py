"""Faults the runner must not turn into silent corruption, hangs or cryptic errors (issue 7)."""

import logging
import sys

import pytest
import torch
from torch import nn

import nemo
from nemo.backends.pytorch import TrainableNM
from nemo.backends.pytorch.checkpoint import CheckpointError
from nemo.backends.pytorch.tutorials import MSELoss, RealFunctionDataLayer, TaylorNet
from nemo.core import NeuralModule
from nemo.core.neural_types import ChannelType, NeuralType

fp16_cpu = pytest.mark.skipif(not torch.amp.GradScaler("cpu").is_enabled(), reason="no fp16 GradScaler on CPU")


def _factory(tmp_path, **kwargs):
    return nemo.core.NeuralModuleFactory(placement=nemo.core.DeviceType.CPU, log_dir=str(tmp_path / "log"),
                                         random_seed=0, **kwargs)


def _loss(n=32, batch_size=8, **layer_kwargs):
    dl = RealFunctionDataLayer(n=n, batch_size=batch_size, **layer_kwargs)
    net = TaylorNet(dim=4)
    x, y = dl()
    return MSELoss()(predictions=net(x=x), target=y), net, dl


class TwoLayer(TrainableNM):
    """Linear(1, h) -> Linear(h, 1). Ports: ``x`` (B, 1) -> ``y_pred`` (B, 1)."""

    def __init__(self, hidden=4, out_hidden=None, name=None):
        super().__init__(name=name)
        self.first = nn.Linear(1, hidden)
        self.second = nn.Linear(out_hidden or hidden, 1)

    @property
    def input_ports(self):
        return {"x": NeuralType(("B", "D"), ChannelType())}

    @property
    def output_ports(self):
        return {"y_pred": NeuralType(("B", "D"), ChannelType())}

    def forward(self, x):
        return self.second(self.first(x))


# ---------------------------------------------------------------- 2: epochs without batches
@pytest.mark.timeout(60)
@pytest.mark.parametrize("n, batch_size, drop_last", [(5, 8, True), (0, 8, False)])
def test_epoch_without_batches_raises_instead_of_hanging(tmp_path, n, batch_size, drop_last):
    nf = _factory(tmp_path)
    loss, _, dl = _loss(n=n, batch_size=batch_size, drop_last=drop_last)
    with pytest.raises(ValueError, match=rf"data layer {dl.name} yields no batch.*{n} sample.*batch_size={batch_size}"):
        nf.train([loss], optimization_params={"max_steps": 10, "lr": 0.1})


@pytest.mark.timeout(60)
def test_iterable_without_batches_raises(tmp_path):
    class EmptyIterator(RealFunctionDataLayer):
        @property
        def data_iterator(self):
            return iter(())

    nf = _factory(tmp_path)
    dl = EmptyIterator(n=4, batch_size=2)
    x, y = dl()
    loss = MSELoss()(predictions=TaylorNet(dim=2)(x=x), target=y)
    with pytest.raises(ValueError, match="yields no batch"):
        nf.train([loss], optimization_params={"max_steps": 3, "lr": 0.1})


# ---------------------------------------------------------------- 4: partial checkpoints
def test_restore_from_partly_fitting_file_leaves_module_unchanged(tmp_path):
    TwoLayer(hidden=4).save_to(str(tmp_path / "other.pt"))
    module = TwoLayer(hidden=4, out_hidden=3)  # `first` fits the file, `second` does not
    module.first = nn.Linear(1, 4)
    before = {k: v.clone() for k, v in module.state_dict().items()}
    with pytest.raises(CheckpointError, match=r"other.pt does not fit module .*second.weight"):
        module.restore_from(str(tmp_path / "other.pt"))
    assert all(torch.equal(before[k], v) for k, v in module.state_dict().items())


def test_trainer_restore_checks_every_file_before_loading(tmp_path):
    folder = str(tmp_path / "ck")
    nf = _factory(tmp_path / "a")
    loss, net, _ = _loss()
    nf.train([loss], optimizer="adam", callbacks=[nemo.core.CheckpointCallback(folder, step_freq=2)],
             optimization_params={"max_steps": 2, "lr": 0.1})
    # same module file, but the trainer file was written for another optimizer layout
    state = torch.load(f"{folder}/trainer-STEP-2.pt", weights_only=True)
    state["optimizer"]["param_groups"][0]["params"] = [0]
    torch.save(state, f"{folder}/trainer-STEP-2.pt")
    nf2 = _factory(tmp_path / "b")
    loss2, net2, _ = _loss()
    before = [p.detach().clone() for p in net2.parameters()]
    with pytest.raises(CheckpointError, match=r"trainer-STEP-2.pt: its optimizer state has parameter groups"):
        nf2.train([loss2], optimizer="adam", callbacks=[nemo.core.CheckpointCallback(folder, load_from_folder=folder)],
                  optimization_params={"max_steps": 4, "lr": 0.1})
    assert all(torch.equal(b, p) for b, p in zip(before, net2.parameters()))


# ---------------------------------------------------------------- 5: bad argument values
@pytest.mark.parametrize("params, message", [
    ({"max_steps": 2, "lr": "0.01"}, r"optimization_params\['lr'\] = '0.01' \(str\): expected a number >= 0"),
    ({"num_epochs": "2", "lr": 0.1}, r"optimization_params\['num_epochs'\] = '2' \(str\): expected an integer >= 1"),
    ({"max_steps": 0, "lr": 0.1}, r"optimization_params\['max_steps'\] = 0 \(int\)"),
    ({"max_steps": 2, "lr": 0.1, "betas": 0.9}, r"optimization_params\['betas'\] = 0.9 \(float\): expected two numbers"),
    ({"max_steps": 2, "lr": 0.1, "weight_decay": "1e-3"}, r"optimization_params\['weight_decay'\] = '1e-3'"),
    ({"max_steps": 2, "lr": 0.1, "amsgrad": 1}, r"optimization_params\['amsgrad'\] = 1 \(int\): expected True or False"),
    ({"max_steps": 2, "lr": 0.1, "betas": (0.9, 1.5)}, r"Optimizer 'adam' rejects optimization_params .*beta"),
    ({"max_steps": 2, "lr": 0.1, "grad_norm_clip": -1}, r"optimization_params\['grad_norm_clip'\] = -1 \(int\)"),
])
def test_bad_optimization_params_name_the_argument(tmp_path, params, message):
    nf = _factory(tmp_path)
    loss, _, _ = _loss()
    with pytest.raises(ValueError, match=message):
        nf.train([loss], optimizer="adam", optimization_params=params)


@pytest.mark.parametrize("kwargs, message", [
    ({"batch_size": -1}, r"RealFunctionDataLayer\(batch_size=...\) = -1 \(int\): expected an integer >= 1"),
    ({"batch_size": "8"}, r"batch_size=...\) = '8' \(str\)"),
    ({"batch_size": 8, "num_workers": -2}, r"num_workers=...\) = -2"),
    ({"batch_size": 8, "shuffle": "yes"}, r"shuffle=...\) = 'yes' \(str\): expected True or False"),
])
def test_bad_data_layer_arguments_name_the_argument(kwargs, message):
    with pytest.raises(ValueError, match=message):
        RealFunctionDataLayer(n=8, **kwargs)


# ---------------------------------------------------------------- 6: missing load_from_folder
def test_missing_load_from_folder_warns_or_fails_with_force_load(tmp_path, caplog):
    missing = str(tmp_path / "no_such_folder")
    nf = _factory(tmp_path)
    loss, _, _ = _loss()
    logger = logging.getLogger("nemo")
    logger.propagate = True
    try:
        with caplog.at_level(logging.WARNING, logger="nemo"):
            nf.train([loss], callbacks=[nemo.core.CheckpointCallback(None, load_from_folder=missing, step_freq=100)],
                     optimization_params={"max_steps": 1, "lr": 0.1})
    finally:
        logger.propagate = False
    assert any(r.levelno == logging.WARNING and missing in r.getMessage() for r in caplog.records)
    with pytest.raises(CheckpointError, match=f"checkpoint folder {missing} .*does not exist"):
        nf.train([loss], reset=True, optimization_params={"max_steps": 1, "lr": 0.1},
                 callbacks=[nemo.core.CheckpointCallback(None, load_from_folder=missing, force_load=True)])


# ---------------------------------------------------------------- 8: configs run no foreign code
def test_config_never_imports_a_module_the_script_did_not(tmp_path, monkeypatch):
    marker = tmp_path / "ran.txt"
    (tmp_path / "side_effect_mod.py").write_text(
        f"open({str(marker)!r}, 'w').write('top-level code ran')\n"
        "from nemo.backends.pytorch.tutorials import TaylorNet\n"
        "class Net(TaylorNet):\n    pass\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    config = tmp_path / "net.yaml"
    config.write_text("header:\n  full_spec: side_effect_mod.Net\ninit_params:\n  dim: 3\n")
    with pytest.raises(ValueError, match="'side_effect_mod', which is not imported.*import 'side_effect_mod'"):
        NeuralModule.import_from_config(str(config))
    assert not marker.exists()
    import side_effect_mod  # noqa: F401  the user's script imports it: now the config may name it

    try:
        assert NeuralModule.import_from_config(str(config)).init_params["dim"] == 3
    finally:
        sys.modules.pop("side_effect_mod", None)


def test_config_imports_toolkit_modules_on_demand(tmp_path):
    config = tmp_path / "net.yaml"
    config.write_text("header:\n  full_spec: nemo.backends.pytorch.tutorials.toys.TaylorNet\ninit_params:\n  dim: 2\n")
    assert isinstance(NeuralModule.import_from_config(str(config)), TaylorNet)


# ---------------------------------------------------------------- 1 + 10: non-finite steps, host syncs
@pytest.mark.parametrize("level, kwargs, expected", [
    ("O0", {}, 1),
    ("O0", {"check_nonfinite": False}, 0),
    ("O0", {"optimization_params_clip": 1.0}, 1),
    ("O0", {"optimization_params_clip": 1.0, "check_nonfinite": False}, 0),
    ("O1", {}, 1),
    ("O1", {"check_nonfinite": False}, 0),
    ("O0", {"batches_per_step": 2}, 1),
    pytest.param("O1", {"amp_dtype": torch.float16}, 1, marks=fp16_cpu),
    pytest.param("O1", {"amp_dtype": torch.float16, "check_nonfinite": False}, 1, marks=fp16_cpu),
])
def test_at_most_one_host_sync_per_optimizer_step(tmp_path, host_syncs, level, kwargs, expected):
    kwargs = dict(kwargs)
    clip = kwargs.pop("optimization_params_clip", None)
    nf = _factory(tmp_path, optimization_level=level)
    loss, _, _ = _loss(n=64, batch_size=8)
    params = {"max_steps": 4, "lr": 0.1, "momentum": 0.9}
    if clip:
        params["grad_norm_clip"] = clip
    nf.train([loss], optimizer="sgd", callbacks=[host_syncs.callback()], optimization_params=params, **kwargs)
    assert host_syncs.steps == 4
    assert host_syncs.per_step == expected, host_syncs.calls


def test_values_for_callbacks_are_read_only_on_their_steps(tmp_path, host_syncs):
    nf = _factory(tmp_path)
    loss, _, _ = _loss(n=64, batch_size=8)
    logged = []
    logger = nemo.core.SimpleLossLoggerCallback([loss], print_func=lambda v: logged.append(v[0]), step_freq=4)
    nf.train([loss], callbacks=[logger, host_syncs.callback()], check_nonfinite=False,
             optimization_params={"max_steps": 8, "lr": 0.1})
    assert len(logged) == 3  # steps 1, 4, 8
    assert len(host_syncs.calls) == 3, host_syncs.calls  # the logger's loss.item() on its steps only


@pytest.mark.parametrize("kwargs", [{}, {"clip": 0.5},
                                    pytest.param({"amp_dtype": torch.float16}, marks=fp16_cpu)])
def test_nonfinite_step_skipped_counted_and_logged(tmp_path, kwargs):
    nf = _factory(tmp_path, optimization_level="O1" if "amp_dtype" in kwargs else "O0")
    loss, net, dl = _loss(n=64, batch_size=8)
    dl.dataset.tensors[0][9] = float("nan")  # the second batch
    params = {"max_steps": 4, "lr": 1e-3}
    if "clip" in kwargs:
        params["grad_norm_clip"] = kwargs["clip"]
    nf.train([loss], optimizer="sgd", optimization_params=params, amp_dtype=kwargs.get("amp_dtype"),
             amp_max_loss_scale=2.0**8)
    assert all(torch.isfinite(p).all() for p in net.parameters())
    assert nf.get_trainer().precision.skipped_steps == 1
    assert "step 2 skipped: non-finite loss or gradients" in (tmp_path / "log" / "log_globalrank-0.txt").read_text()


# ---------------------------------------------------------------- 13: loader defaults
def test_loader_workers_default_by_device(monkeypatch):
    from nemo.backends.pytorch import loader
    from nemo.backends.pytorch.distributed import DistributedContext

    dl = RealFunctionDataLayer(n=8, batch_size=4)
    assert dl.num_workers is None  # "decide for me"
    built, _ = loader.build_loader(dl, DistributedContext(), True, device="cpu")
    assert built.num_workers == 0 and not built.pin_memory
    assert loader.on_device(built, "cpu") is built  # CPU batches are used as they are: no copy per step
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    monkeypatch.setattr(loader.os, "cpu_count", lambda: 16)
    assert loader.default_num_workers("cuda") == loader.MAX_AUTO_WORKERS
    monkeypatch.setattr(loader.os, "cpu_count", lambda: 2)
    assert loader.default_num_workers("cuda") == 1
