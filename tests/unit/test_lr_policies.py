"""Learning-rate policies against hand-computed values."""
import pytest

from nemo.utils import lr_policies
from nemo.utils.lr_policies import (
    AVAILABLE_SCHEDULERS,
    CosineAnnealing,
    InverseSquareRootAnnealing,
    PolynomialDecayAnnealing,
    PolynomialHoldDecayAnnealing,
    SquareAnnealing,
    SquareRootAnnealing,
    WarmupAnnealing,
    WarmupHoldPolicy,
    WarmupPolicy,
    get_lr_policy,
    register_scheduler,
)


def _check(policy, expected, initial_lr=1.0):
    for step, lr in expected.items():
        assert policy(initial_lr, step, 0) == pytest.approx(lr, abs=1e-12), f"step {step}"


def test_cosine_annealing_with_warmup():
    policy = CosineAnnealing(total_steps=100, warmup_steps=10, min_lr=0.0)
    # warmup: (step+1)/11; then progress = (step-10)/90, lr = 0.5*(1+cos(pi*progress))
    _check(policy, {0: 1 / 11, 5: 6 / 11, 9: 10 / 11, 10: 1.0, 40: 0.75, 55: 0.5, 100: 0.0, 150: 0.0})


def test_cosine_annealing_min_lr_and_scaling():
    policy = CosineAnnealing(total_steps=100, warmup_steps=10, min_lr=0.1)
    # step 55: 0.5*(2.0-0.1)*(1+0) + 0.1 = 1.05; end and past end: min_lr
    _check(policy, {55: 1.05, 100: 0.1, 150: 0.1}, initial_lr=2.0)
    with pytest.raises(ValueError, match="below min_lr"):
        policy(0.05, 50, 0)


def test_square_annealing():
    policy = SquareAnnealing(total_steps=100, warmup_steps=20)  # min_lr defaults to 1e-5
    # step 60: progress = 40/80 = 0.5 -> (1 - 1e-5) * 0.25 + 1e-5 = 0.2500075
    _check(policy, {0: 1 / 21, 20: 1.0, 60: 0.2500075, 100: 1e-5, 200: 1e-5})


def test_square_root_annealing_counts_steps_from_zero():
    policy = SquareRootAnnealing(total_steps=100, warmup_steps=10)
    # after warmup sqrt(1 - step/100): step 19 -> sqrt(0.81) = 0.9, step 75 -> 0.5
    _check(policy, {5: 6 / 11, 19: 0.9, 75: 0.5, 100: 0.0, 101: 0.0})
    with_min = SquareRootAnnealing(100, min_lr=0.2)
    _check(with_min, {75: 0.8 * 0.5 + 0.2})


def test_warmup_annealing_linear_decay():
    policy = WarmupAnnealing(total_steps=100, warmup_steps=20)
    # progress = (step-20)/80: step 60 -> 0.5, step 80 -> 0.25
    _check(policy, {19: 20 / 21, 20: 1.0, 60: 0.5, 80: 0.25, 100: 0.0, 120: 0.0})
    with_min = WarmupAnnealing(total_steps=100, warmup_steps=20, min_lr=0.2)
    _check(with_min, {60: 0.8 * 0.5 + 0.2, 100: 0.2, 120: 0.2})


def test_warmup_annealing_warmup_ratio():
    policy = WarmupAnnealing(total_steps=50, warmup_ratio=0.1)  # int(0.1*50) = 5 warmup steps
    assert policy.warmup_steps == 5
    # step 2: 3/6; step 5: 1.0; step 30: progress (30-5)/45
    _check(policy, {2: 0.5, 5: 1.0, 30: 1 - 25 / 45})


def test_inverse_square_root_annealing():
    policy = InverseSquareRootAnnealing(total_steps=100, warmup_steps=3)
    # warmup (step+1)/4; then 1 / sqrt((step+1)/4)
    _check(policy, {0: 0.25, 3: 1.0, 15: 0.5, 63: 0.25, 101: 0.0})
    endless = InverseSquareRootAnnealing(warmup_steps=3)
    _check(endless, {399: 0.1})


def test_polynomial_decay_annealing():
    square = PolynomialDecayAnnealing(total_steps=100, power=2.0)
    _check(square, {0: 1.0, 50: 0.25, 100: 0.0, 101: 0.0})
    linear = PolynomialDecayAnnealing(total_steps=100, warmup_steps=20, power=1.0, min_lr=0.1)
    # step 60: progress 0.5 -> 0.9*0.5 + 0.1
    _check(linear, {60: 0.55, 100: 0.1, 130: 0.1})


def test_polynomial_decay_cycle_keeps_decaying_past_total():
    policy = PolynomialDecayAnnealing(total_steps=30, warmup_steps=10, cycle=True)
    # span 20 after warmup; past it the span doubles to 40: step 31 -> 1 - 21/40, step 40 -> 1 - 30/40
    _check(policy, {10: 1.0, 20: 0.5, 30: 0.0, 31: 1 - 21 / 40, 40: 0.25})


def test_polynomial_hold_decay_annealing():
    policy = PolynomialHoldDecayAnnealing(total_steps=100, warmup_steps=10, hold_steps=20, power=2.0)
    # warmup to step 10, hold to step 30, then (1 - (step-30)/70)**2
    _check(policy, {5: 6 / 11, 10: 1.0, 29: 1.0, 30: 1.0, 65: 0.25, 100: 0.0, 110: 0.0})
    by_ratio = PolynomialHoldDecayAnnealing(total_steps=100, warmup_ratio=0.1, hold_ratio=0.2, power=2.0)
    assert (by_ratio.warmup_steps, by_ratio.hold_steps) == (10, 20)
    _check(by_ratio, {65: 0.25})


def test_polynomial_hold_decay_without_hold_starts_after_warmup():
    policy = PolynomialHoldDecayAnnealing(total_steps=100, warmup_steps=20)
    _check(policy, {20: 1.0, 60: 0.5})


def test_warmup_policy_and_hold_policy():
    const = WarmupPolicy(warmup_ratio=0.1, total_steps=50)
    _check(const, {2: 0.5, 5: 1.0, 50: 1.0, 51: 0.0})
    endless = WarmupPolicy(warmup_steps=4)
    _check(endless, {1: 0.4, 10**6: 1.0})
    hold = WarmupHoldPolicy(warmup_steps=10, hold_steps=20, total_steps=100, min_lr=0.05)
    _check(hold, {4: 5 / 11, 15: 1.0, 50: 1.0, 101: 0.05})


def test_warmup_steps_and_ratio_together_fail():
    with pytest.raises(ValueError, match="warmup_steps or warmup_ratio"):
        CosineAnnealing(total_steps=100, warmup_steps=10, warmup_ratio=0.1)
    with pytest.raises(ValueError, match="hold_steps or hold_ratio"):
        WarmupHoldPolicy(hold_steps=10, hold_ratio=0.1, total_steps=100)


def test_missing_total_steps_names_the_policy():
    for cls in (CosineAnnealing, SquareAnnealing, SquareRootAnnealing, WarmupAnnealing, PolynomialDecayAnnealing):
        with pytest.raises(ValueError, match=cls.__name__):
            cls(warmup_steps=5)
    with pytest.raises(ValueError, match="WarmupPolicy.*needs total_steps"):
        WarmupPolicy(warmup_ratio=0.1)


def test_bad_values_fail():
    with pytest.raises(ValueError, match="warmup_steps must be >= 0"):
        WarmupAnnealing(total_steps=10, warmup_steps=-1)
    with pytest.raises(ValueError, match="warmup_ratio must be in"):
        WarmupAnnealing(total_steps=10, warmup_ratio=1.5)
    with pytest.raises(ValueError, match="total_steps must be > 0"):
        CosineAnnealing(total_steps=0)


def test_registry_and_get_lr_policy():
    assert set(AVAILABLE_SCHEDULERS) == {
        "WarmupPolicy",
        "WarmupHoldPolicy",
        "SquareAnnealing",
        "SquareRootAnnealing",
        "CosineAnnealing",
        "WarmupAnnealing",
        "InverseSquareRootAnnealing",
        "PolynomialDecayAnnealing",
        "PolynomialHoldDecayAnnealing",
    }
    policy = get_lr_policy("CosineAnnealing", total_steps=100, warmup_ratio=0.1)
    assert isinstance(policy, CosineAnnealing)
    assert policy(1.0, 55, 0) == pytest.approx(0.5)
    assert isinstance(get_lr_policy("warmupannealing", total_steps=10), WarmupAnnealing)
    with pytest.raises(ValueError, match="Unknown lr policy 'Nope'.*CosineAnnealing"):
        get_lr_policy("Nope", total_steps=10)
    with pytest.raises(ValueError, match="CosineAnnealing.*bad arguments"):
        get_lr_policy("CosineAnnealing", total_steps=10, decay=0.5)


def test_register_scheduler(monkeypatch):
    monkeypatch.setattr(lr_policies, "AVAILABLE_SCHEDULERS", dict(AVAILABLE_SCHEDULERS))

    class HalfPolicy(WarmupPolicy):
        """Half the lr after warmup."""

        def _get_lr(self, initial_lr, step, epoch):
            return initial_lr / 2

    register_scheduler("HalfPolicy", HalfPolicy)
    assert get_lr_policy("HalfPolicy", warmup_steps=1)(0.8, 3, 0) == pytest.approx(0.4)
    with pytest.raises(ValueError, match="already registered"):
        register_scheduler("CosineAnnealing", HalfPolicy)
    with pytest.raises(ValueError, match="not an _LRPolicy"):
        register_scheduler("Bad", object)
