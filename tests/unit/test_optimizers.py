"""Novograd against hand-computed steps, and the optimizer registry."""
import copy
import math
from dataclasses import dataclass

import pytest
import torch

from nemo.backends.pytorch import optimizers
from nemo.backends.pytorch.optimizers import (
    AVAILABLE_OPTIMIZERS,
    Novograd,
    NovogradParams,
    get_optimizer,
    register_optimizer,
)

EPS = 1e-8


def _param(*values):
    return torch.nn.Parameter(torch.tensor(values, dtype=torch.float64))


def _step(optimizer, param, grad):
    param.grad = torch.tensor(grad, dtype=torch.float64)
    optimizer.step()


def _assert_values(param, expected):
    assert param.detach().tolist() == pytest.approx(expected, abs=1e-12)


def test_novograd_first_two_steps():
    w = _param(1.0, 2.0)
    opt = Novograd([w], lr=0.1, betas=(0.95, 0.98), eps=EPS)

    # step 1: v1 = ||g1||^2 = 25, m1 = g1 / (sqrt(v1) + eps)
    _step(opt, w, [3.0, 4.0])
    m1 = [3.0 / (5.0 + EPS), 4.0 / (5.0 + EPS)]
    w1 = [1.0 - 0.1 * m1[0], 2.0 - 0.1 * m1[1]]
    _assert_values(w, w1)
    assert w1 == pytest.approx([0.94, 1.92], abs=1e-8)

    # step 2: v2 = 0.98 * 25 + 0.02 * ||g2||^2, m2 = 0.95 * m1 + g2 / (sqrt(v2) + eps)
    _step(opt, w, [0.0, 2.0])
    v2 = 0.98 * 25.0 + 0.02 * 4.0
    assert opt.state[w]["exp_avg_sq"].item() == pytest.approx(24.58, abs=1e-12)
    m2 = [0.95 * m1[0], 0.95 * m1[1] + 2.0 / (math.sqrt(v2) + EPS)]
    w2 = [w1[0] - 0.1 * m2[0], w1[1] - 0.1 * m2[1]]
    _assert_values(w, w2)
    assert w2 == pytest.approx([0.883, 1.8036597], abs=1e-6)


def test_novograd_second_moment_is_per_tensor():
    w, b = _param(1.0, 2.0), _param(1.0)
    opt = Novograd([w, b], lr=0.1)
    w.grad = torch.tensor([3.0, 4.0], dtype=torch.float64)
    b.grad = torch.tensor([10.0], dtype=torch.float64)
    opt.step()
    # each tensor is normalized by its own norm: b moves by lr * 10 / 10
    _assert_values(w, [1.0 - 0.3 / (5.0 + EPS), 2.0 - 0.4 / (5.0 + EPS)])
    _assert_values(b, [1.0 - 0.1 * 10.0 / (10.0 + EPS)])
    assert w.grad.tolist() == [3.0, 4.0]  # the gradient is left as it was


def test_novograd_weight_decay():
    w = _param(1.0, 2.0)
    opt = Novograd([w], lr=0.1, weight_decay=0.5)
    # step 1: m1 = g / 5 + 0.5 * w0 = [0.6 + 0.5, 0.8 + 1.0]
    _step(opt, w, [3.0, 4.0])
    m1 = [3.0 / (5.0 + EPS) + 0.5 * 1.0, 4.0 / (5.0 + EPS) + 0.5 * 2.0]
    w1 = [1.0 - 0.1 * m1[0], 2.0 - 0.1 * m1[1]]
    _assert_values(w, w1)
    assert w1 == pytest.approx([0.89, 1.82], abs=1e-8)
    # step 2 (same gradient, v stays 25): m2 = 0.95 * m1 + g / 5 + 0.5 * w1
    _step(opt, w, [3.0, 4.0])
    m2 = [0.95 * m1[i] + g / (5.0 + EPS) + 0.5 * w1[i] for i, g in enumerate([3.0, 4.0])]
    _assert_values(w, [w1[0] - 0.1 * m2[0], w1[1] - 0.1 * m2[1]])
    assert w.detach().tolist() == pytest.approx([0.681, 1.478], abs=1e-8)


def test_novograd_grad_averaging_and_amsgrad():
    w = _param(1.0, 2.0)
    opt = Novograd([w], lr=0.1, grad_averaging=True)
    _step(opt, w, [3.0, 4.0])
    # m1 = (1 - 0.95) * g / 5 = [0.03, 0.04]
    _assert_values(w, [1.0 - 0.1 * 0.05 * 3.0 / (5.0 + EPS), 2.0 - 0.1 * 0.05 * 4.0 / (5.0 + EPS)])

    w = _param(1.0, 2.0)
    opt = Novograd([w], lr=0.1, amsgrad=True)
    _step(opt, w, [3.0, 4.0])
    _step(opt, w, [0.0, 2.0])
    # v2 = 24.58 < v1 = 25, so the denominator stays sqrt(25) + eps
    m1 = [3.0 / (5.0 + EPS), 4.0 / (5.0 + EPS)]
    m2 = [0.95 * m1[0], 0.95 * m1[1] + 2.0 / (5.0 + EPS)]
    _assert_values(w, [1.0 - 0.1 * (m1[0] + m2[0]), 2.0 - 0.1 * (m1[1] + m2[1])])
    assert w.detach().tolist() == pytest.approx([0.883, 1.804], abs=1e-8)


def test_novograd_state_dict_round_trip():
    w, w_copy = _param(1.0, 2.0), _param(1.0, 2.0)
    opt, opt_copy = Novograd([w], lr=0.1), Novograd([w_copy], lr=0.1)
    _step(opt, w, [3.0, 4.0])
    _step(opt_copy, w_copy, [3.0, 4.0])
    opt_copy.load_state_dict(copy.deepcopy(opt.state_dict()))
    _step(opt, w, [1.0, -1.0])
    _step(opt_copy, w_copy, [1.0, -1.0])
    assert torch.equal(w, w_copy)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"lr": -1.0}, "learning rate"),
        ({"eps": -1e-3}, "eps"),
        ({"betas": (1.0, 0.98)}, "betas"),
        ({"betas": (0.9,)}, "betas"),
        ({"weight_decay": -0.1}, "weight_decay"),
    ],
)
def test_novograd_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Novograd([_param(1.0)], **kwargs)


def test_registry_holds_the_legacy_optimizers():
    names = ["adadelta", "adagrad", "adam", "adamax", "adamw", "novograd", "rmsprop", "sgd"]
    assert sorted(AVAILABLE_OPTIMIZERS) == names
    assert AVAILABLE_OPTIMIZERS["novograd"] == (Novograd, NovogradParams)
    for name in AVAILABLE_OPTIMIZERS:
        w = _param(1.0, 2.0)
        opt = get_optimizer(name, [w], lr=0.1)
        _step(opt, w, [3.0, 4.0])
        assert opt.param_groups[0]["lr"] == 0.1
        assert not torch.equal(w.detach(), torch.tensor([1.0, 2.0], dtype=torch.float64)), name


def test_get_optimizer_takes_dataclass_fields_and_skips_runner_keys():
    w = _param(1.0)
    runner_params = {"num_epochs": 3, "max_steps": 10, "lr": 5.0, "grad_norm_clip": 1.0, "batches_per_step": 2}
    opt = get_optimizer("Adam", [w], 0.01, betas=[0.8, 0.9], weight_decay=1e-4, **runner_params)
    group = opt.param_groups[0]
    assert isinstance(opt, torch.optim.Adam)
    assert (group["lr"], group["betas"], group["weight_decay"]) == (0.01, (0.8, 0.9), 1e-4)

    sgd = get_optimizer("SGD", [w], 0.5, momentum=0.9, nesterov=True, weight_decay=None)
    group = sgd.param_groups[0]
    assert (group["momentum"], group["nesterov"], group["weight_decay"]) == (0.9, True, 0.0)

    novograd = get_optimizer("novograd", [w], weight_decay=1e-3, grad_averaging=True, lr=0.02, num_epochs=1)
    assert isinstance(novograd, Novograd)
    group = novograd.param_groups[0]
    assert (group["lr"], group["betas"], group["weight_decay"]) == (0.02, (0.95, 0.98), 1e-3)
    assert group["grad_averaging"] is True


def test_get_optimizer_unknown_name_and_bad_key():
    w = _param(1.0)
    known = "adadelta, adagrad, adam, adamax, adamw, novograd, rmsprop, sgd"
    with pytest.raises(ValueError, match=f"Unknown optimizer 'lamb'; known: {known}"):
        get_optimizer("lamb", [w], 0.1)
    accepted = "accepted: dampening, momentum, nesterov, weight_decay"
    with pytest.raises(ValueError, match=f"Optimizer 'sgd' got unknown parameter 'betas'; {accepted}"):
        get_optimizer("sgd", [w], 0.1, betas=(0.9, 0.99))
    with pytest.raises(ValueError, match="Optimizer 'adam' needs a learning rate"):
        get_optimizer("adam", [w], num_epochs=1)


class SignSGD(torch.optim.Optimizer):
    """Steps by -lr * scale * sign(grad)."""

    def __init__(self, params, lr=0.1, scale=1.0):
        super().__init__(params, dict(lr=lr, scale=scale))

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            for p in group["params"]:
                p.add_(p.grad.sign(), alpha=-group["lr"] * group["scale"])


def test_register_optimizer(monkeypatch):
    monkeypatch.setattr(optimizers, "AVAILABLE_OPTIMIZERS", dict(AVAILABLE_OPTIMIZERS))

    register_optimizer("SignSGD", SignSGD)  # fields derived from the signature
    w = _param(1.0, -2.0)
    opt = get_optimizer("signsgd", [w], 0.1, scale=2.0, num_epochs=1)
    _step(opt, w, [0.5, -3.0])
    _assert_values(w, [1.0 - 0.2, -2.0 + 0.2])
    with pytest.raises(ValueError, match="accepted: scale"):
        get_optimizer("signsgd", [w], 0.1, momentum=0.9)

    @dataclass
    class SignParams:
        """Only a fixed scale."""

        scale: float = 3.0

    register_optimizer("sign3", SignSGD, SignParams)
    w = _param(1.0)
    _step(get_optimizer("sign3", [w], 0.1), w, [4.0])
    _assert_values(w, [1.0 - 0.3])

    with pytest.raises(ValueError, match="already registered"):
        register_optimizer("adam", SignSGD)
    with pytest.raises(ValueError, match="not a torch.optim.Optimizer"):
        register_optimizer("bad", dict)
    with pytest.raises(ValueError, match="not a dataclass"):
        register_optimizer("bad", SignSGD, dict)
