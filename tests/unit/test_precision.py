"""Mixed precision on CPU: autocast dtypes, master weights, loss scaling, NaN handling,
gradient accumulation and clipping order."""

import os

import pytest
import torch
from torch import nn

import nemo
from nemo.backends.pytorch.actions import TrainingStopped
from nemo.backends.pytorch.precision import Precision
from nemo.backends.pytorch.tutorials import MSELoss, RealFunctionDataLayer
from nemo.core.neural_types import ChannelType, NeuralType

fp16_cpu_autocast = pytest.mark.skipif(
    not torch.amp.GradScaler("cpu").is_enabled(), reason="this torch has no fp16 GradScaler on CPU"
)


class Recorder(nemo.backends.pytorch.TrainableNM):
    """Linear -> LayerNorm -> tanh -> Linear, recording the dtype of its hidden activation.

    Ports: ``x`` (B, 1) -> ``y_pred`` (B, 1).
    """

    def __init__(self, name=None):
        super().__init__(name=name)
        self.fc1, self.norm, self.fc2 = nn.Linear(1, 8), nn.LayerNorm(8), nn.Linear(8, 1)
        self.hidden_dtypes = []

    @property
    def input_ports(self):
        return {"x": NeuralType(("B", "D"), ChannelType())}

    @property
    def output_ports(self):
        return {"y_pred": NeuralType(("B", "D"), ChannelType())}

    def forward(self, x):
        hidden = self.fc1(x)
        self.hidden_dtypes.append(hidden.dtype)
        return self.fc2(torch.tanh(self.norm(hidden)))


def _train(tmp_path, level="O0", batch_size=8, steps=3, callbacks=(), poison=None, **train_kwargs):
    """A fresh factory and graph (seed 0), trained for ``steps``; returns (factory, model)."""
    nf = nemo.core.NeuralModuleFactory(placement=nemo.core.DeviceType.CPU, optimization_level=level,
                                       random_seed=0, log_dir=str(tmp_path))
    dl = RealFunctionDataLayer(n=48, batch_size=batch_size)
    if poison is not None:
        dl.dataset.tensors[0][poison] = float("nan")
    model = Recorder()
    x, y = dl()
    loss = MSELoss()(predictions=model(x=x), target=y)
    nf.train([loss], optimizer="sgd", callbacks=list(callbacks),
             optimization_params={"max_steps": steps, "lr": 0.1}, **train_kwargs)
    return nf, model


def _flat(model):
    return torch.cat([p.detach().float().flatten() for p in model.parameters()])


@pytest.mark.parametrize("level, dtype", [("O0", torch.float32), ("O1", torch.bfloat16)])
def test_cpu_autocast_dtype_per_level(tmp_path, level, dtype):
    nf, model = _train(tmp_path, level)
    assert nf.get_trainer().precision.describe().startswith(f"Precision: {level}")
    assert model.hidden_dtypes and set(model.hidden_dtypes) == {dtype}
    assert all(p.dtype == torch.float32 for p in model.parameters())


def test_o2_half_weights_with_fp32_masters(tmp_path):
    before = None

    class Snapshot(nemo.core.ActionCallback):
        def on_action_start(self):
            nonlocal before
            before = [p.detach().clone() for p in self.action.optimizer.param_groups[0]["params"]]

    folder = str(tmp_path / "ck")
    nf, model = _train(tmp_path, "O2", callbacks=[Snapshot(), nemo.core.CheckpointCallback(folder, step_freq=3)])
    assert set(model.hidden_dtypes) == {torch.bfloat16}
    assert model.fc1.weight.dtype == torch.bfloat16 and model.norm.weight.dtype == torch.float32
    masters = nf.get_trainer().optimizer.param_groups[0]["params"]
    assert all(m.dtype == torch.float32 for m in masters)
    model_params = list(model.parameters())
    assert all(torch.equal(m.to(p.dtype), p.detach()) for m, p in zip(masters, model_params))
    assert any(not torch.equal(m, b) for m, b in zip(masters, before))
    saved = torch.load(os.path.join(folder, "trainer-STEP-3.pt"), weights_only=True)["precision"]["masters"]
    assert [s.dtype for s in saved] == [torch.float32] * len(saved) and len(saved) == 4
    # the fp32 masters carry more than the bf16 model weights do, and a resumed run gets them back
    assert any(not torch.equal(s, s.bfloat16().float()) for s in saved)
    resumed, _ = _train(tmp_path / "resumed", "O2", callbacks=[nemo.core.CheckpointCallback(folder, folder, 3)])
    restored = [master for _, master in resumed.get_trainer().precision.master_pairs]
    assert len(restored) == 4 and all(torch.equal(m, s) for m, s in zip(restored, saved))


@fp16_cpu_autocast
def test_fp16_loss_scale_capped_saved_and_backed_off(tmp_path):
    folder = str(tmp_path / "ck")
    nf, _ = _train(tmp_path, "O1", callbacks=[nemo.core.CheckpointCallback(folder, step_freq=2)],
                   amp_dtype=torch.float16, amp_max_loss_scale=2.0**10)
    assert nf.get_trainer().precision.scaler.is_enabled()
    saved = torch.load(os.path.join(folder, "trainer-STEP-2.pt"), weights_only=True)["precision"]["scaler"]
    assert saved["scale"] == 2.0**10

    def one_step(max_scale, loss_value=None):
        model = nn.Linear(2, 1)
        precision = Precision("O1", "cpu", torch.float16, max_loss_scale=max_scale)
        precision.scaler.load_state_dict(dict(saved, _growth_tracker=saved["growth_interval"] - 1))
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        with precision.autocast():
            loss = model(torch.ones(4, 2)).float().mean()
        precision.backward(loss * (loss_value if loss_value is not None else 1.0), optimizer)
        return precision.step(optimizer), precision

    stepped, capped = one_step(2.0**10)
    assert stepped and capped.scaler.get_scale() == 2.0**10
    stepped, free = one_step(2.0**24)
    assert stepped and free.scaler.get_scale() == 2.0**11
    stepped, backed_off = one_step(2.0**10, float("inf"))
    assert not stepped and backed_off.skipped_steps == 1 and backed_off.scaler.get_scale() == 2.0**9


def test_stop_on_nan_loss_names_the_step(tmp_path):
    with pytest.raises(TrainingStopped, match=r"at step 3\b"):
        _train(tmp_path, steps=5, poison=17, stop_on_nan_loss=True)


def test_nan_step_skipped_without_stop(tmp_path):
    nf, model = _train(tmp_path, steps=5, poison=17, stop_on_nan_loss=False)
    assert torch.isfinite(_flat(model)).all()
    assert nf.get_trainer().precision.skipped_steps == 1
    assert "1 step(s) skipped for non-finite gradients" in (tmp_path / "log_globalrank-0.txt").read_text()


def test_accumulation_equals_one_step_on_concatenated_batch(tmp_path):
    _, accumulated = _train(tmp_path / "a", batch_size=4, batches_per_step=2)
    _, concatenated = _train(tmp_path / "b", batch_size=8)
    torch.testing.assert_close(_flat(accumulated), _flat(concatenated), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("dtype", [None, torch.bfloat16, pytest.param(torch.float16, marks=fp16_cpu_autocast)])
def test_grad_norm_clip_applies_to_unscaled_gradients(dtype):
    torch.manual_seed(0)
    model = nn.Linear(4, 1)
    precision = Precision("O0" if dtype is None else "O1", "cpu", dtype, max_loss_scale=2.0**10)
    assert precision.scaler.is_enabled() == (dtype == torch.float16)
    optimizer = torch.optim.SGD(model.parameters(), lr=1.0)
    before = torch.cat([p.detach().flatten() for p in model.parameters()])
    with precision.autocast():
        loss = model(torch.full((8, 4), 3.0)).float().mean()
    precision.backward(loss, optimizer)
    assert precision.step(optimizer, grad_norm_clip=0.1)
    after = torch.cat([p.detach().flatten() for p in model.parameters()])
    assert (after - before).norm().item() == pytest.approx(0.1, rel=1e-3)
