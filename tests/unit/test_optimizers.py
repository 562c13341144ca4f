"""Novograd, LAMB and LARC against hand-computed steps, and the optimizer registry."""
import copy
import logging
import math
import shutil
from dataclasses import dataclass

import pytest
import torch

import nemo
from nemo.backends.pytorch import optimizers
from nemo.backends.pytorch.optimizers import (
    AVAILABLE_OPTIMIZERS,
    LARC,
    Lamb,
    LambParams,
    Novograd,
    NovogradParams,
    get_optimizer,
    register_optimizer,
)
from nemo.backends.pytorch.tutorials import MSELoss, RealFunctionDataLayer, TaylorNet

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
    names = ["adadelta", "adagrad", "adam", "adamax", "adamw", "lamb", "novograd", "rmsprop", "sgd"]
    assert sorted(AVAILABLE_OPTIMIZERS) == names
    assert AVAILABLE_OPTIMIZERS["novograd"] == (Novograd, NovogradParams)
    assert AVAILABLE_OPTIMIZERS["lamb"] == (Lamb, LambParams)
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
    known = "adadelta, adagrad, adam, adamax, adamw, lamb, novograd, rmsprop, sgd"
    legacy = "adam_w, fused_adam, fused_lamb, fused_novograd"
    with pytest.raises(ValueError, match=rf"Unknown optimizer 'lars'; known: {known} \(legacy names: {legacy}\)"):
        get_optimizer("lars", [w], 0.1)
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
    with pytest.raises(ValueError, match="'fused_adam' is the legacy alias of 'adam'"):
        register_optimizer("fused_adam", SignSGD)
    with pytest.raises(ValueError, match="not a torch.optim.Optimizer"):
        register_optimizer("bad", dict)
    with pytest.raises(ValueError, match="not a dataclass"):
        register_optimizer("bad", SignSGD, dict)


def test_sgd_momentum_defaults_to_legacy_0_9():
    w = _param(1.0)
    assert get_optimizer("sgd", [w], 0.1).param_groups[0]["momentum"] == 0.9
    assert get_optimizer("sgd", [w], 0.1, momentum=None).param_groups[0]["momentum"] == 0.9
    assert get_optimizer("sgd", [w], 0.1, momentum=0.0).param_groups[0]["momentum"] == 0.0
    # two steps of heavy-ball momentum: v1 = g1, v2 = 0.9 * v1 + g2
    opt = get_optimizer("sgd", [w], 0.1)
    _step(opt, w, [2.0])
    _step(opt, w, [1.0])
    _assert_values(w, [1.0 - 0.1 * 2.0 - 0.1 * (0.9 * 2.0 + 1.0)])


class _Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@pytest.mark.parametrize(
    "alias, real_cls",
    [("adam_w", torch.optim.AdamW), ("fused_adam", torch.optim.Adam), ("fused_novograd", Novograd),
     ("FUSED_LAMB", Lamb)],
)
def test_legacy_aliases_resolve_with_one_notice(monkeypatch, alias, real_cls):
    monkeypatch.setattr(optimizers, "_announced_aliases", set())
    records = _Records()
    logger = logging.getLogger("nemo")
    monkeypatch.setattr(logger, "level", logging.INFO)
    logger.addHandler(records)
    try:
        first = get_optimizer(alias, [_param(1.0)], 0.1, weight_decay=0.0)
        second = get_optimizer(alias, [_param(1.0)], 0.1)
    finally:
        logger.removeHandler(records)
    assert type(first) is real_cls and type(second) is real_cls
    real = {torch.optim.AdamW: "adamw", torch.optim.Adam: "adam", Novograd: "novograd", Lamb: "lamb"}[real_cls]
    assert records.messages == [
        f"Optimizer '{alias.lower()}' is a legacy name: using '{real}' ({real_cls.__module__}.{real_cls.__qualname__})"
    ]


LAMB_EPS = 1e-6


def _lamb_update(m, v, step, w, weight_decay, betas=(0.9, 0.999)):
    """u = m_hat / (sqrt(v_hat) + eps) + wd * w, written out per element."""
    bc1, bc2 = 1.0 - betas[0] ** step, 1.0 - betas[1] ** step
    return [(m[i] / bc1) / (math.sqrt(v[i] / bc2) + LAMB_EPS) + weight_decay * w[i] for i in range(len(w))]


def test_lamb_first_two_steps():
    w = _param(1.0, 2.0)
    opt = Lamb([w], lr=0.1, weight_decay=0.1)

    # step 1: m1 = 0.1 g1, v1 = 0.001 g1^2 (bias-corrected: g1 and g1^2), so u1 ~ [1, 1] + 0.1 w0
    _step(opt, w, [3.0, 4.0])
    m1, v1 = [0.3, 0.4], [0.009, 0.016]
    u1 = _lamb_update(m1, v1, 1, [1.0, 2.0], 0.1)
    ratio1 = math.sqrt(1.0 + 4.0) / math.hypot(*u1)  # ||w0|| / ||u1|| = sqrt(5) / sqrt(2.65)
    w1 = [1.0 - 0.1 * ratio1 * u1[0], 2.0 - 0.1 * ratio1 * u1[1]]
    _assert_values(w, w1)
    assert ratio1 == pytest.approx(1.3736060, abs=1e-6)
    assert w1 == pytest.approx([0.8489034, 1.8351673], abs=1e-6)

    # step 2: m2 = 0.9 m1 + 0.1 g2, v2 = 0.999 v1 + 0.001 g2^2, trust ratio from ||w1|| and ||u2||
    _step(opt, w, [0.0, 2.0])
    m2, v2 = [0.27, 0.56], [0.008991, 0.019984]
    assert opt.state[w]["exp_avg"].tolist() == pytest.approx(m2, abs=1e-12)
    assert opt.state[w]["exp_avg_sq"].tolist() == pytest.approx(v2, abs=1e-12)
    u2 = _lamb_update(m2, v2, 2, w1, 0.1)
    ratio2 = math.hypot(*w1) / math.hypot(*u2)
    _assert_values(w, [w1[0] - 0.1 * ratio2 * u2[0], w1[1] - 0.1 * ratio2 * u2[1]])
    assert w.detach().tolist() == pytest.approx([0.7355870, 1.6677034], abs=1e-6)


def test_lamb_trust_ratio_is_per_tensor_one_at_zero_norm_and_clamped():
    zero, w = _param(0.0, 0.0), _param(1.0, 2.0)
    opt = Lamb([zero, w], lr=0.1, weight_decay=0.0)
    zero.grad = torch.tensor([3.0, -4.0], dtype=torch.float64)
    w.grad = torch.tensor([3.0, 4.0], dtype=torch.float64)
    opt.step()
    u = [3.0 / (3.0 + LAMB_EPS), 4.0 / (4.0 + LAMB_EPS)]
    _assert_values(zero, [-0.1 * u[0], 0.1 * u[1]])  # ||w|| = 0: ratio 1
    ratio = math.sqrt(5.0) / math.hypot(*u)
    _assert_values(w, [1.0 - 0.1 * ratio * u[0], 2.0 - 0.1 * ratio * u[1]])

    w = _param(1.0, 2.0)
    opt = get_optimizer("lamb", [w], 0.1, weight_decay=0.0, max_weight_norm=1.0, bias_correction=False)
    _step(opt, w, [3.0, 4.0])
    # no bias correction: u = 0.1 g / (sqrt(0.001) |g| + eps); phi(||w||) = min(sqrt(5), 1) = 1
    u = [0.3 / (math.sqrt(0.009) + LAMB_EPS), 0.4 / (math.sqrt(0.016) + LAMB_EPS)]
    ratio = 1.0 / math.hypot(*u)
    _assert_values(w, [1.0 - 0.1 * ratio * u[0], 2.0 - 0.1 * ratio * u[1]])


def test_lamb_state_dict_round_trip_and_bad_arguments():
    w, w_copy = _param(1.0, 2.0), _param(1.0, 2.0)
    opt, opt_copy = Lamb([w], lr=0.1), Lamb([w_copy], lr=0.1)
    _step(opt, w, [3.0, 4.0])
    _step(opt_copy, w_copy, [3.0, 4.0])
    opt_copy.load_state_dict(copy.deepcopy(opt.state_dict()))
    _step(opt, w, [1.0, -1.0])
    _step(opt_copy, w_copy, [1.0, -1.0])
    assert torch.equal(w, w_copy)
    with pytest.raises(ValueError, match="Optimizer 'lamb' rejects .*max_weight_norm"):
        get_optimizer("lamb", [w], 0.1, max_weight_norm=0.0)
    with pytest.raises(ValueError, match=r"optimization_params\['max_weight_norm'\] = 'big' \(str\)"):
        get_optimizer("lamb", [w], 0.1, max_weight_norm="big")


def _larc_sgd(lr, mode, weight_decay=0.1):
    w, zero = _param(3.0, 4.0), _param(0.0, 0.0)
    opt = get_optimizer("sgd", [w, zero], lr, momentum=0.0, weight_decay=weight_decay, larc=True, larc_mode=mode)
    w.grad = torch.tensor([0.6, 0.8], dtype=torch.float64)  # ||w|| = 5, ||g|| = 1
    zero.grad = torch.tensor([1.0, -1.0], dtype=torch.float64)
    opt.step()
    return opt, w, zero


@pytest.mark.parametrize(
    "lr, mode, expected",
    [
        # local lr = 0.02 * 5 / (1 + 0.1 * 5 + 1e-8) = 0.0667; clip: factor = min(0.0667 / 0.1, 1) = 2/3
        # g' = 2/3 * (g + 0.1 w) = 2/3 * [0.9, 1.2] = [0.6, 0.8]; w <- w - 0.1 g'
        (0.1, "clip", [3.0 - 0.1 * 0.6, 4.0 - 0.1 * 0.8]),
        # clip with lr below the local lr: factor 1, plain SGD with weight decay
        (0.01, "clip", [3.0 - 0.01 * 0.9, 4.0 - 0.01 * 1.2]),
        # scale: factor = local lr = 1/15, g' = [0.06, 0.08]
        (0.1, "scale", [3.0 - 0.1 * 0.06, 4.0 - 0.1 * 0.08]),
    ],
)
def test_larc_against_hand_computation(lr, mode, expected):
    local_lr = 0.02 * 5.0 / (1.0 + 0.1 * 5.0 + 1e-8)
    factor = min(local_lr / lr, 1.0) if mode == "clip" else local_lr
    opt, w, zero = _larc_sgd(lr, mode)
    assert isinstance(opt, LARC) and isinstance(opt.optim, torch.optim.SGD)
    assert (opt.eta, opt.mode) == (0.02, mode)
    _assert_values(w, [3.0 - lr * factor * 0.9, 4.0 - lr * factor * 1.2])
    assert w.detach().tolist() == pytest.approx(expected, abs=1e-8)
    _assert_values(zero, [-lr * 1.0, lr * 1.0])  # ||w|| = 0: factor 1, the decay of 0 adds nothing
    assert opt.param_groups[0]["weight_decay"] == 0.1  # the wrapped optimizer's decay is restored


def test_larc_is_an_optimizer_whose_state_round_trips():
    w, w_copy = _param(3.0, 4.0), _param(3.0, 4.0)
    opt = get_optimizer("adam", [w], 0.1, larc=True, larc_eta=0.01)
    opt_copy = get_optimizer("adam", [w_copy], 0.1, larc=True, larc_eta=0.01)
    assert isinstance(opt, torch.optim.Optimizer) and opt.param_groups is opt.optim.param_groups
    _step(opt, w, [0.6, 0.8])
    _step(opt_copy, w_copy, [0.6, 0.8])
    state = copy.deepcopy(opt.state_dict())
    # Adam saw g' = min(0.01 * 5 / 1 / 0.1, 1) * g = g / 2, so m1 = 0.1 * g / 2
    assert state["state"][0]["exp_avg"].tolist() == pytest.approx([0.03, 0.04], abs=1e-9)
    opt_copy.load_state_dict(state)
    for optimizer, param in ((opt, w), (opt_copy, w_copy)):
        optimizer.zero_grad()
        assert param.grad is None
        _step(optimizer, param, [1.0, -1.0])
    assert torch.equal(w, w_copy)
    scheduler = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    _step(opt, w, [1.0, -1.0])
    scheduler.step()
    assert opt.optim.param_groups[0]["lr"] == 0.05


@pytest.mark.parametrize(
    "params, message",
    [
        ({"larc": "yes"}, r"optimization_params\['larc'\] = 'yes' \(str\): expected True or False"),
        ({"larc": True, "larc_eta": -1}, r"optimization_params\['larc_eta'\] = -1 \(int\): expected a number > 0"),
        ({"larc": True, "larc_mode": "trust"},
         r"optimization_params\['larc_mode'\] = 'trust' \(str\): expected one of \('clip', 'scale'\)"),
    ],
)
def test_larc_keys_are_checked_by_name(params, message):
    with pytest.raises(ValueError, match=message):
        get_optimizer("novograd", [_param(1.0)], 0.1, **params)


def test_larc_keys_pass_for_every_optimizer_and_off_means_unwrapped():
    for name in AVAILABLE_OPTIMIZERS:
        opt = get_optimizer(name, [_param(1.0, 2.0)], 0.1, larc=True, larc_eta=0.02, larc_mode="scale")
        assert isinstance(opt, LARC) and isinstance(opt.optim, AVAILABLE_OPTIMIZERS[name][0]), name
    plain = get_optimizer("lamb", [_param(1.0)], 0.1, larc=False, larc_eta=0.02, num_epochs=1)
    assert type(plain) is Lamb


def _taylor_training(log_dir, callbacks, optimization_params):
    """A fresh factory (seed 0) training TaylorNet on y = sin(x); returns (factory, net, loss before, after)."""
    nf = nemo.core.NeuralModuleFactory(placement=nemo.core.DeviceType.CPU, random_seed=0, log_dir=str(log_dir))
    dl = RealFunctionDataLayer(n=64, batch_size=16, shuffle=True)
    net = TaylorNet(dim=4)
    x, y = dl()
    loss = MSELoss()(predictions=net(x=x), target=y)
    before = torch.stack(nf.infer([loss])[0]).mean()
    nf.train([loss], optimizer="sgd", callbacks=callbacks, optimization_params=optimization_params)
    return nf, net, before, torch.stack(nf.infer([loss])[0]).mean()


def test_train_with_larc_learns_and_resumes_from_its_checkpoint(tmp_path):
    params = {"max_steps": 8, "lr": 0.1, "weight_decay": 1e-3, "larc": True, "larc_eta": 0.02}
    folder = tmp_path / "ck"
    nf, net, before, after = _taylor_training(tmp_path / "a", [nemo.core.CheckpointCallback(str(folder), step_freq=4)],
                                              params)
    optimizer = nf.get_trainer().optimizer
    assert isinstance(optimizer, LARC) and isinstance(optimizer.optim, torch.optim.SGD)
    assert optimizer.param_groups[0]["momentum"] == 0.9 and optimizer.param_groups[0]["weight_decay"] == 1e-3
    assert after < 0.5 * before

    # resume from step 4: the momentum buffers come back through LARC's state_dict
    resume = tmp_path / "resume"
    resume.mkdir()
    saved = sorted(folder.glob("*-STEP-4.pt"))
    assert len(saved) == 2  # the module and the trainer file
    for path in saved:
        shutil.copy(path, resume / path.name)
    restorer = nemo.core.CheckpointCallback(str(resume), load_from_folder=str(resume), step_freq=100)
    nf2, net2, _, after2 = _taylor_training(tmp_path / "b", [restorer], params)
    assert nf2.get_trainer().step == 8
    assert all(torch.equal(a, b) for a, b in zip(net.parameters(), net2.parameters()))
    assert torch.equal(after, after2)


def _novograd_one_tensor(param, grad, state, lr, betas, eps, weight_decay, grad_averaging, amsgrad):
    """NovoGrad for one tensor, written from the paper's formulas (the reference for the batched step)."""
    beta1, beta2 = betas
    state["step"] = state.get("step", 0) + 1
    norm_sq = float(grad.double().pow(2).sum())
    state["v"] = norm_sq if state["step"] == 1 else beta2 * state["v"] + (1 - beta2) * norm_sq
    state["v_max"] = max(state.get("v_max", 0.0), state["v"])
    update = grad.double() / (math.sqrt(state["v_max"] if amsgrad else state["v"]) + eps)
    update = update + weight_decay * param.double()
    if grad_averaging:
        update = update * (1 - beta1)
    state["m"] = beta1 * state.get("m", torch.zeros_like(update)) + update
    return param.double() - lr * state["m"]


@pytest.mark.parametrize("settings", [
    {},
    {"weight_decay": 1e-2, "grad_averaging": True},
    {"amsgrad": True, "betas": (0.9, 0.5)},
])
def test_batched_novograd_equals_the_per_tensor_formula(settings):
    generator = torch.Generator().manual_seed(0)
    shapes = [(7, 3), (3,), (5, 2, 2), (1,)]
    params = [torch.nn.Parameter(torch.randn(s, generator=generator)) for s in shapes]
    reference = [p.detach().double().clone() for p in params]
    states = [{} for _ in params]
    options = dict({"lr": 0.05, "betas": (0.95, 0.98), "eps": 1e-8, "weight_decay": 0.0, "grad_averaging": False,
                    "amsgrad": False}, **settings)
    optimizer = Novograd(params, **options)
    for step in range(5):
        for index, (param, state) in enumerate(zip(params, states)):
            if step == 1 and index == 2:  # this tensor gets no gradient once: its step count lags
                param.grad = None
                continue
            param.grad = torch.randn(param.shape, generator=generator)
            reference[index] = _novograd_one_tensor(reference[index], param.grad, state, **options)
        optimizer.step()
    for param, expected in zip(params, reference):
        torch.testing.assert_close(param.detach().double(), expected, rtol=1e-6, atol=1e-6)
