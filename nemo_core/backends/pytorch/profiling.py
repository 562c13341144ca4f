"""Where the time goes: profile a few training steps per module call of the DAG.

``nf.train(..., profile=N)`` or a :class:`ProfilerCallback` profiles N steps
after a warm-up. Forward time per call is measured around the executor's call;
backward time per call from autograd markers put on the call's inputs and
outputs (and on its parameters' gradient accumulation), so each stretch of the
backward pass is charged to the module whose gradients it computed. Peak memory
per call is read from the CUDA allocator (on a GPU). Data loading, optimizer
step and callbacks are the runner's sections. Results: a table in the log, a
TensorBoard text and scalars, and a Chrome trace (``torch.profiler``) under
``<log_dir>/profile/``.

Nothing is installed outside the profiled steps: the runner pays one
``profiler is not None`` test per section when profiling is off.
"""

import collections
import os
import time
import weakref

import torch
from torch.profiler import ProfilerActivity, record_function

from ...core.callbacks import ActionCallback
from ...utils.arg_checks import check_bool, check_int
from ...utils.atomic import atomic_path

__all__ = ["ProfileReport", "ProfilerCallback", "StepProfiler", "profiler_for"]

SECTIONS = ("data", "forward_backward", "optimizer", "callbacks")
_END = object()
_LIVE = weakref.WeakKeyDictionary()  # runner -> its last StepProfiler


class _BackwardMark(torch.autograd.Function):
    """Identity whose backward tells the profiler that a call's gradient stretch starts or ends."""

    @staticmethod
    def forward(ctx, tensor, profiler, kind, label):
        ctx.profiler, ctx.kind, ctx.label = profiler, kind, label
        return tensor.view_as(tensor)

    @staticmethod
    def backward(ctx, grad):
        ctx.profiler.backward_event(ctx.kind, ctx.label)
        return grad, None, None, None


def _call_label(name, outputs):
    """``TaylorNet0`` for a module's first call, ``TaylorNet0 call1`` for its second."""
    producer = outputs[0].split("~~~", 1)[1] if outputs and "~~~" in outputs[0] else name
    return producer.replace("~~~", " ")


class ProfileReport:
    """Per-step averages (seconds) of a profiled window.

    ``calls[label]`` holds ``forward``, ``backward`` and ``peak_memory`` (bytes
    above the allocation at the call's start, CUDA only, else None);
    ``sections`` holds ``data``, ``forward_backward``, ``optimizer``,
    ``callbacks``; ``step_time`` is their sum; ``runner_other`` the part of
    ``forward_backward`` outside module calls (loss sum, autograd bookkeeping).
    """

    def __init__(self, steps, first_step, calls, sections, trace_path):
        self.steps = steps
        self.first_step = first_step
        self.calls = calls
        self.sections = sections
        self.step_time = sum(sections.values())
        modules = sum(c["forward"] + c["backward"] for c in calls.values())
        self.runner_other = sections["forward_backward"] - modules
        self.trace_path = trace_path

    def rows(self):
        """(what, forward s, backward s, peak bytes or None) per module call, then the runner's sections."""
        rows = [(label, c["forward"], c["backward"], c["peak_memory"]) for label, c in self.calls.items()]
        rows += [("data loading", self.sections["data"], 0.0, None),
                 ("optimizer step", self.sections["optimizer"], 0.0, None),
                 ("callbacks", self.sections["callbacks"], 0.0, None),
                 ("runner (loss sum, autograd)", self.runner_other, 0.0, None)]
        return rows

    def table(self):
        """A markdown table: ms per step and share of the step."""
        lines = [f"Profile of steps {self.first_step + 1}-{self.first_step + self.steps} "
                 f"({self.step_time * 1e3:.2f} ms per step)", "",
                 "| what | forward ms | backward ms | total ms | share | peak MB |", "|---|---:|---:|---:|---:|---:|"]
        for what, forward, backward, peak in self.rows():
            total = forward + backward
            share = total / self.step_time if self.step_time > 0 else 0.0
            memory = "-" if peak is None else f"{peak / 2**20:.1f}"
            lines.append(f"| {what} | {forward * 1e3:.3f} | {backward * 1e3:.3f} | {total * 1e3:.3f} | "
                         f"{share:.1%} | {memory} |")
        if self.trace_path:
            lines += ["", f"Chrome trace: {self.trace_path}"]
        return "\n".join(lines)


class StepProfiler:
    """Times the sections of ``steps`` training steps after ``warmup`` steps of ``runner``.

    The runner calls :meth:`enter` at each section change, wraps its batches with
    :meth:`timed_batches` and calls :meth:`finish` after the loop.
    """

    def __init__(self, callback, runner, executors, out_dir):
        self.callback = callback
        self.runner = runner
        self.executors = list({id(executor): executor for executor in executors}.values())  # each wrapped once
        self.out_dir = os.path.join(out_dir or ".", "profile")
        self.cuda = torch.device(runner.device).type == "cuda"
        self.active = False
        self.done = False
        self._start_step = None

    # ---------------------------------------------------------------- runner side
    def timed_batches(self, batches):
        """``batches`` whose fetches open the ``data`` section (and start or stop the window)."""
        return _TimedBatches(batches, self)

    def enter(self, section):
        """Close the running section and open ``section`` (a no-op outside the window)."""
        if section == "data" and self._maybe_switch():
            return  # the window has just opened with this section
        if not self.active:
            return
        now = self._now()
        self._sections[self._section] += now - self._since
        self._range.__exit__(None, None, None)
        self._section, self._since = section, now
        self._range = record_function(f"nemo::{section}")
        self._range.__enter__()

    def finish(self):
        """End of training: close the window, or say that it never started."""
        if _LIVE.get(self.runner) is self:
            del _LIVE[self.runner]
        if self.active:
            self._stop()
        elif not self.done and self.runner.logger:
            self.runner.logger.warning(
                f"profile: training ended at step {self.runner.step} before the {self.callback.steps} profiled "
                f"step(s) after {self.callback.warmup} warm-up step(s) could run; nothing profiled")

    # ---------------------------------------------------------------- window
    def _maybe_switch(self):
        """Open the window at its first step's fetch, close it at the fetch after its last; True when opened."""
        step = self.runner.step
        if self._start_step is None:
            self._start_step = step + self.callback.warmup
        if not self.active and not self.done and step >= self._start_step:
            self._start()
            return True
        if self.active and step >= self._start_step + self.callback.steps:
            self._stop()
        return False

    def _now(self):
        if self.cuda:
            torch.cuda.synchronize(self.runner.device)
        return time.perf_counter()

    def _start(self):
        self.active = True
        self._first_step = self.runner.step
        self._sections = dict.fromkeys(SECTIONS, 0.0)
        self._forward = collections.defaultdict(float)
        self._backward = collections.defaultdict(float)
        self._peak = {}
        self._labels = {}
        self._last_call = {}
        self._current = None
        self._saved_steps = [executor.steps for executor in self.executors]
        for executor in self.executors:
            executor.steps = [(self._timed(fn, _call_label(name, outputs), name), inputs, outputs, name)
                              for fn, inputs, outputs, name in executor.steps]
        self._hooks = self._param_hooks()
        self._torch_profiler = None
        if self.callback.trace:
            activities = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if self.cuda else [])
            self._torch_profiler = torch.profiler.profile(activities=activities)
            self._torch_profiler.start()
        self._section, self._since = "data", self._now()
        self._range = record_function("nemo::data")
        self._range.__enter__()

    def _detach(self):
        """Put the executors' calls back and remove the parameter hooks."""
        self.active, self.done = False, True
        for executor, steps in zip(self.executors, self._saved_steps):
            executor.steps = steps
        for handle in self._hooks:
            handle.remove()

    def abandon(self):
        """Drop a window that an exception interrupted: detach, stop ``torch.profiler``, report nothing."""
        if self.active:
            self._range.__exit__(None, None, None)
            self._detach()
            if self._torch_profiler is not None:
                self._torch_profiler.stop()

    def _stop(self):
        now = self._now()
        self._sections[self._section] += now - self._since
        self._range.__exit__(None, None, None)
        self._detach()
        steps = max(1, self.runner.step - self._first_step)
        trace_path = self._write_trace()
        labels = list(dict.fromkeys(list(self._forward) + list(self._backward)))
        calls = {label: {"forward": self._forward[label] / steps, "backward": self._backward[label] / steps,
                         "peak_memory": self._peak.get(label)} for label in labels}
        sections = {name: value / steps for name, value in self._sections.items()}
        report = ProfileReport(steps, self._first_step, calls, sections, trace_path)
        self.callback.report = report
        self._publish(report)

    def _write_trace(self):
        if self._torch_profiler is None:
            return None
        self._torch_profiler.stop()
        path = os.path.join(self.out_dir, f"trace-steps-{self._first_step + 1}-{self.runner.step}.json")
        if not self.runner.dist.is_main:
            return None
        with atomic_path(path) as tmp:
            self._torch_profiler.export_chrome_trace(tmp)
        return path

    def _publish(self, report):
        if not self.runner.dist.is_main:
            return
        if self.runner.logger:
            self.runner.logger.info("\n" + report.table())
        writer = self.callback.tb_writer
        if writer is None:
            return
        step = report.first_step + report.steps
        writer.add_text("profile", report.table(), step)
        for label, call in report.calls.items():
            tag = "profile/" + label.replace(" ", "/")
            writer.add_scalar(f"{tag}/forward_ms", call["forward"] * 1e3, step)
            writer.add_scalar(f"{tag}/backward_ms", call["backward"] * 1e3, step)
            if call["peak_memory"] is not None:
                writer.add_scalar(f"{tag}/peak_mb", call["peak_memory"] / 2**20, step)
        for name in ("data", "optimizer", "callbacks"):
            writer.add_scalar(f"profile/section/{name}_ms", report.sections[name] * 1e3, step)
        writer.add_scalar("profile/section/runner_other_ms", report.runner_other * 1e3, step)
        writer.add_scalar("profile/step_ms", report.step_time * 1e3, step)
        writer.flush()

    # ---------------------------------------------------------------- per call
    def _timed(self, fn, label, module_name):
        """``fn`` timed, with backward markers on its inputs (end) and outputs (start)."""
        self._labels[label] = module_name

        def call(**kwargs):
            for port, value in kwargs.items():
                if isinstance(value, torch.Tensor) and value.requires_grad:
                    kwargs[port] = _BackwardMark.apply(value, self, "end", label)
            with record_function(f"nemo::{label}.forward"):
                base = self._memory_base()
                started = self._now()
                result = fn(**kwargs)
                ended = self._now()
                self._forward[label] += ended - started
                self._note_peak(label, base)
            self._current, self._backward_since, self._backward_base = None, ended, None
            return self._mark_outputs(result, label)

        return call

    def _mark_outputs(self, result, label):
        def mark(value):
            if isinstance(value, torch.Tensor) and value.requires_grad:
                return _BackwardMark.apply(value, self, "start", label)
            return value

        if isinstance(result, tuple) and hasattr(result, "_fields"):
            return type(result)(*(mark(v) for v in result))
        if isinstance(result, (tuple, list)):
            return type(result)(mark(v) for v in result)
        return mark(result)

    def _param_hooks(self):
        """A gradient-accumulated hook per trainable parameter: the end of a call's stretch without input grads."""
        handles, seen = [], set()
        for module in self.runner.trained_modules:
            for param in module.parameters():
                if param.requires_grad and id(param) not in seen:
                    seen.add(id(param))
                    handles.append(param.register_post_accumulate_grad_hook(
                        lambda _, name=module.name: self.backward_event("param", name)))
        return handles

    def backward_event(self, kind, key):
        """Charge the stretch since the previous backward event; ``key`` is a call label or (params) a module name."""
        if not self.active:
            return
        now = self._now()
        if kind == "param":
            current_module = self._labels.get(self._current)
            label = self._current if current_module == key else self._last_call.get(key)
        else:
            label = key if kind == "end" else self._current
        if label is not None:  # else: before the first marked call (loss sum): the runner's share
            self._backward[label] += now - self._backward_since
            self._note_peak(label, self._backward_base)
        if kind == "start":
            self._current = key
            self._last_call[self._labels[key]] = key
        else:
            self._current = label
        self._backward_since = now
        self._backward_base = self._memory_base()

    def _memory_base(self):
        if not self.cuda:
            return None
        torch.cuda.reset_peak_memory_stats(self.runner.device)
        return torch.cuda.memory_allocated(self.runner.device)

    def _note_peak(self, label, base):
        if base is None or label is None:
            return
        peak = torch.cuda.max_memory_allocated(self.runner.device) - base
        self._peak[label] = max(self._peak.get(label, 0), peak)


class _TimedBatches:
    """Iterates ``batches``, opening the profiler's ``data`` section before each fetch."""

    def __init__(self, batches, profiler):
        self.batches = batches
        self.profiler = profiler

    def __len__(self):
        return len(self.batches)

    def __iter__(self):
        iterator = iter(self.batches)
        while True:
            self.profiler.enter("data")
            batch = next(iterator, _END)
            if batch is _END:
                self.profiler.enter("callbacks")  # the epoch's end: its callbacks, not data loading
                return
            yield batch


class ProfilerCallback(ActionCallback):
    """Profile ``steps`` training steps after ``warmup`` steps; ``report`` holds the :class:`ProfileReport`.

    ``trace=False`` skips ``torch.profiler`` (no Chrome trace, less overhead in the profiled steps).
    """

    def __init__(self, steps=5, warmup=3, trace=True, tb_writer=None):
        super().__init__(tb_writer)
        self.steps = check_int(steps, "ProfilerCallback(steps)", minimum=1)
        self.warmup = check_int(warmup, "ProfilerCallback(warmup)", minimum=0)
        self.trace = check_bool(trace, "ProfilerCallback(trace)")
        self.report = None


def profiler_for(profile, callbacks, runner, executors, out_dir):
    """The :class:`StepProfiler` asked for by ``profile=N`` or a ProfilerCallback; None when none is.

    A window of the runner's previous ``train`` that an exception left open is abandoned first.
    """
    stale = _LIVE.pop(runner, None)
    if stale is not None:
        stale.abandon()
    requests = [cb for cb in callbacks if isinstance(cb, ProfilerCallback)]
    if profile:
        callback = ProfilerCallback(steps=check_int(profile, "train(profile)", minimum=1))
        callback.action = runner
        requests.append(callback)
    if not requests:
        return None
    if len(requests) > 1:
        raise ValueError("train: one profiler per run; got profile= and/or several ProfilerCallbacks")
    _LIVE[runner] = StepProfiler(requests[0], runner, executors, out_dir)
    return _LIVE[runner]

