"""Where the time goes: per-call forward/backward times, runner sections, log table, TensorBoard, trace."""

import glob
import json
import time

import pytest
import torch
from torch import nn

import nemo
from nemo.backends.pytorch import DataLayerNM, NonTrainableNM, TrainableNM
from nemo.backends.pytorch.common import MSELoss
from nemo.backends.pytorch.profiling import ProfilerCallback
from nemo.core.neural_types import ChannelType, LabelsType, NeuralType

FORWARD_SLEEP, BACKWARD_SLEEP = 0.005, 0.02


class Features(DataLayerNM):
    """Fixed random features and targets. Output ports: ``x`` (B, D), ``y`` (B, D)."""

    def __init__(self, n, dim, batch_size, name=None):
        super().__init__(name=name, batch_size=batch_size, shuffle=False)
        generator = torch.Generator().manual_seed(0)
        self._dataset = torch.utils.data.TensorDataset(torch.randn(n, dim, generator=generator),
                                                       torch.randn(n, 1, generator=generator))

    @property
    def output_ports(self):
        return {"x": NeuralType(("B", "D"), ChannelType()), "y": NeuralType(("B", "D"), LabelsType())}

    @property
    def dataset(self):
        return self._dataset


class Dense(TrainableNM):
    """Linear + tanh. Ports: ``x`` (B, D) → ``y`` (B, D)."""

    def __init__(self, dim, out, name=None):
        super().__init__(name=name)
        self.fc = nn.Linear(dim, out)

    @property
    def input_ports(self):
        return {"x": NeuralType(("B", "D"), ChannelType())}

    @property
    def output_ports(self):
        return {"y": NeuralType(("B", "D"), ChannelType())}

    def forward(self, x):
        return torch.tanh(self.fc(x))


class _Sleepy(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        time.sleep(FORWARD_SLEEP)
        return x.clone()

    @staticmethod
    def backward(ctx, grad):
        time.sleep(BACKWARD_SLEEP)
        return grad


class Sleepy(NonTrainableNM):
    """Identity taking known times: 5 ms forward, 20 ms backward. Ports: ``x`` (B, D) → ``y`` (B, D)."""

    @property
    def input_ports(self):
        return {"x": NeuralType(("B", "D"), ChannelType())}

    @property
    def output_ports(self):
        return {"y": NeuralType(("B", "D"), ChannelType())}

    def forward(self, x):
        return _Sleepy.apply(x)


class StepClock(nemo.core.ActionCallback):
    """Wall-clock time at the end of each step."""

    def __init__(self):
        super().__init__()
        self.ends = {}

    def on_iteration_end(self):
        self.ends[self.step] = time.perf_counter()


@pytest.fixture(autouse=True)
def one_thread():
    """Timings on a shared 2-core machine: one intra-op thread avoids waits on descheduled OpenMP threads."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _factory(tmp_path, **kwargs):
    return nemo.core.NeuralModuleFactory(placement=nemo.core.DeviceType.CPU, log_dir=str(tmp_path / "log"),
                                         random_seed=0, **kwargs)


def _graph(sleepy=False, dim=512, hidden=1024, batch_size=256):
    dl, first, last = Features(16 * batch_size, dim, batch_size), Dense(dim, hidden), Dense(hidden, 1)
    x, y = dl()
    middle = Sleepy() if sleepy else None
    hidden_values = first(x=x)
    pred = last(x=middle(x=hidden_values) if sleepy else hidden_values)
    modules = [m for m in (first, middle, last) if m is not None]
    return modules, MSELoss()(predictions=pred, target=y)


def test_known_module_times_are_charged_to_that_module(tmp_path):
    (first, sleepy, last), loss = _graph(sleepy=True, dim=32, hidden=32)
    profiler = ProfilerCallback(steps=5, warmup=2, trace=False)
    _factory(tmp_path).train([loss], callbacks=[profiler], optimizer="sgd",
                             optimization_params={"max_steps": 8, "lr": 1e-3})
    report = profiler.report
    assert report.steps == 5 and report.first_step == 2
    assert list(report.calls)[:3] == [first.name, sleepy.name, last.name]
    slow = report.calls[sleepy.name]
    assert FORWARD_SLEEP <= slow["forward"] < FORWARD_SLEEP + 0.01
    assert BACKWARD_SLEEP <= slow["backward"] < BACKWARD_SLEEP + 0.01
    for neighbour in (first.name, last.name):  # the sleeps are not smeared onto the neighbours
        assert report.calls[neighbour]["backward"] < 0.01
        assert report.calls[neighbour]["forward"] < 0.01
    assert report.calls[sleepy.name]["peak_memory"] is None  # CUDA only


def test_parts_add_up_to_the_measured_step(tmp_path):
    (first, last), loss = _graph()
    profiler, clock = ProfilerCallback(steps=6, warmup=2), StepClock()
    nf = _factory(tmp_path)
    nf.train([loss], callbacks=[profiler, clock], optimizer="sgd", optimization_params={"max_steps": 10, "lr": 1e-3})
    report = profiler.report
    modules = sum(call["forward"] + call["backward"] for call in report.calls.values())
    sections = report.sections["data"] + report.sections["optimizer"] + report.sections["callbacks"]
    assert abs(modules + sections - report.step_time) <= 0.2 * report.step_time
    wide, narrow = (report.calls[m.name] for m in (first, last))  # 512x1024 weights against 1024x1
    assert wide["forward"] + wide["backward"] > narrow["forward"] + narrow["backward"]
    # the step time itself against a clock outside the profiler: end of step 2 to end of step 8
    wall = (clock.ends[8] - clock.ends[2]) / 6
    assert abs(report.step_time - wall) <= 0.2 * wall


def test_train_profile_writes_log_table_tensorboard_and_trace(tmp_path):
    event_accumulator = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")
    (first, last), loss = _graph(dim=16, hidden=16)
    nf = _factory(tmp_path, create_tb_writer=True)
    nf.train([loss], optimizer="sgd", optimization_params={"max_steps": 6, "lr": 1e-3}, profile=2)
    log = (tmp_path / "log" / "log_globalrank-0.txt").read_text()
    assert "Profile of steps 4-5" in log
    for row in (first.name, last.name, "data loading", "optimizer step", "callbacks"):
        assert f"| {row} |" in log
    traces = glob.glob(str(tmp_path / "log" / "profile" / "trace-steps-4-5.json"))
    assert len(traces) == 1
    names = {event.get("name") for event in json.load(open(traces[0]))["traceEvents"]}
    assert {f"nemo::{first.name}.forward", "nemo::data", "nemo::forward_backward", "nemo::optimizer"} <= names
    nf.tb_writer.flush()
    accumulator = event_accumulator.EventAccumulator(str(tmp_path / "log" / "tensorboard"),
                                                     size_guidance={"tensors": 0, "scalars": 0})
    accumulator.Reload()
    scalars = accumulator.Tags()["scalars"]
    assert {f"profile/{first.name}/forward_ms", f"profile/{last.name}/backward_ms", "profile/section/data_ms",
            "profile/step_ms"} <= set(scalars)
    assert accumulator.Scalars("profile/step_ms")[0].step == 5
    assert accumulator.Scalars("profile/step_ms")[0].value > 0
    text = accumulator.Tensors("profile/text_summary")[0].tensor_proto.string_val[0].decode()
    assert text.startswith("Profile of steps 4-5")


def test_profiling_leaves_the_modules_as_they_were(tmp_path):
    (first, last), loss = _graph(dim=8, hidden=8)
    nf = _factory(tmp_path)
    nf.train([loss], optimizer="sgd", optimization_params={"max_steps": 5, "lr": 1e-3}, profile=1)
    for module in (first, last):
        assert not module._forward_hooks and not module._forward_pre_hooks
        assert all(not p._post_accumulate_grad_hooks for p in module.parameters())
    plain = nf.infer([loss])[0]
    assert all(torch.isfinite(value) for value in plain)


def test_profile_arguments_are_checked_and_short_runs_warn(tmp_path):
    _, loss = _graph(dim=8, hidden=8)
    nf = _factory(tmp_path)
    with pytest.raises(ValueError, match=r"train\(profile\)"):
        nf.train([loss], optimizer="sgd", optimization_params={"max_steps": 2}, profile="3")
    with pytest.raises(ValueError, match="one profiler per run"):
        nf.train([loss], optimizer="sgd", optimization_params={"max_steps": 2}, profile=2,
                 callbacks=[ProfilerCallback(steps=2)])
    with pytest.raises(ValueError, match=r"ProfilerCallback\(warmup\)"):
        ProfilerCallback(steps=2, warmup=-1)
    profiler = ProfilerCallback(steps=5, warmup=3, trace=False)
    nf.train([loss], optimizer="sgd", optimization_params={"max_steps": 3}, callbacks=[profiler], reset=True)
    assert profiler.report is None
    log = (tmp_path / "log" / "log_globalrank-0.txt").read_text()
    assert "training ended at step 3 before the 5 profiled step(s) after 3 warm-up step(s)" in log


class FailAt(nemo.core.ActionCallback):
    """Raises at the end of ``step`` (inside a profiled window)."""

    def __init__(self, step):
        super().__init__()
        self.fail_step = step

    def on_iteration_end(self):
        if self.step == self.fail_step:
            raise RuntimeError("stop here")


def test_a_window_cut_by_an_exception_is_dropped_at_the_next_train(tmp_path):
    (first, last), loss = _graph(dim=8, hidden=8)
    nf = _factory(tmp_path)
    profiler = ProfilerCallback(steps=4, warmup=1, trace=False)
    with pytest.raises(RuntimeError, match="stop here"):
        nf.train([loss], optimizer="sgd", optimization_params={"max_steps": 8}, callbacks=[profiler, FailAt(3)])
    assert any(p._post_accumulate_grad_hooks for p in first.parameters())  # left behind by the exception
    nf.train([loss], optimizer="sgd", optimization_params={"max_steps": 2}, reset=True)
    assert profiler.report is None
    assert all(not p._post_accumulate_grad_hooks for m in (first, last) for p in m.parameters())
