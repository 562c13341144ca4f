"""Deployment export of one module to PyTorch weights, TorchScript or ONNX, verified by running the file."""

import copy
import inspect
import logging
import os
import warnings

import torch
from torch import nn

from ...core.factory import DeploymentFormat
from ...core.neural_types import AxisKind
from ...utils.atomic import atomic_path
from . import checkpoint

__all__ = ["deployment_export", "ExportError"]

_SUFFIXES = {
    ".pt": DeploymentFormat.PYTORCH,
    ".pth": DeploymentFormat.PYTORCH,
    ".ts": DeploymentFormat.TORCHSCRIPT,
    ".jit": DeploymentFormat.TORCHSCRIPT,
    ".torchscript": DeploymentFormat.TORCHSCRIPT,
    ".onnx": DeploymentFormat.ONNX,
}
_OPSET = 18
_RTOL, _ATOL = 1e-3, 1e-4


class ExportError(RuntimeError):
    """An exported file that cannot be loaded back or does not reproduce the module's outputs."""


class _PortsWrapper(nn.Module):
    """Positional ``forward(*inputs)`` mapped to the module's keyword ports, in port order."""

    def __init__(self, module, names):
        super().__init__()
        self.module = module
        self.names = names

    def forward(self, *inputs):
        return self.module.forward(**dict(zip(self.names, inputs)))


def _first_line(error):
    return f"{type(error).__name__}: {(str(error).strip().splitlines() or [''])[0]}"


def _resolve_format(module, output, d_format):
    """The concrete format: ``d_format``, or the one the suffix of ``output`` names for AUTO."""
    if not isinstance(d_format, DeploymentFormat):
        raise ValueError(f"d_format must be a nemo.core.DeploymentFormat, got {d_format!r}")
    if d_format != DeploymentFormat.AUTO:
        return d_format
    suffix = os.path.splitext(output)[1].lower()
    if suffix not in _SUFFIXES:
        raise ValueError(f"cannot choose an export format for {module.name} from the suffix {suffix!r} of {output}; "
                         f"known suffixes: {', '.join(_SUFFIXES)} (or pass d_format)")
    return _SUFFIXES[suffix]


def _port_values(module, values, ports, what):
    """``{port: tensor}`` in port order from a tensor, a tuple in port order or a dict."""
    names = list(ports)
    if isinstance(values, torch.Tensor):
        values = (values,)
    if isinstance(values, dict):
        unknown = sorted(set(values) - set(names))
        if unknown:
            raise ValueError(f"{what} of {module.name} names unknown port(s) {unknown}; its ports are {names}")
        named = {name: values[name] for name in names if name in values}
    else:
        values = tuple(values)
        if len(values) > len(names):
            raise ValueError(f"{what} of {module.name} has {len(values)} values but the module has ports {names}")
        named = dict(zip(names, values))
    missing = [name for name in names if name not in named and not ports[name].optional]
    wrong = [name for name, value in named.items() if not isinstance(value, torch.Tensor)]
    if missing or wrong:
        raise ValueError(f"{what} of {module.name}: ports {names} need tensors; missing {missing}, not a tensor {wrong}")
    return named


def _dynamic_axes(ports, names):
    """``{port: {axis: label}}`` for the Batch and Time axes of the named ports."""
    labels = {}
    for name in names:
        axes = ports[name].axes or ()
        found = {i: "batch" if a.kind == AxisKind.Batch else f"{name}_time"
                 for i, a in enumerate(axes) if a.kind in (AxisKind.Batch, AxisKind.Time)}
        if found:
            labels[name] = found
    return labels


def _script_view(module, names):
    """The module scripted with its NeuralModule properties hidden, or None when its forward
    does not take exactly the example's ports in port order."""
    cls = type(module)
    if list(inspect.signature(cls.forward).parameters)[1:] != names:
        return None
    hidden = sorted({key for c in cls.__mro__ for key, value in vars(c).items() if isinstance(value, property)})
    view = copy.copy(module)
    view.__class__ = type(cls)(cls.__name__, (cls,), {"__jit_unused_properties__": hidden,
                                                     "__module__": cls.__module__})
    return torch.jit.script(view)


def _write_torchscript(module, inputs, path, logger):
    names = list(inputs)
    try:
        program = _script_view(module, names)
    except Exception as error:  # scripting fails in many unrelated ways
        logger.info("torch.jit.script of %s failed (%s); tracing instead", module.name, _first_line(error))
        program = None
    if program is None:
        program = torch.jit.trace(_PortsWrapper(module, names).eval(), tuple(inputs.values()), check_trace=False)
        logger.info("TorchScript export of %s: traced with the input example", module.name)
    else:
        logger.info("TorchScript export of %s: scripted", module.name)
    torch.jit.save(program, path)


def _run_torchscript(module, inputs, path):
    return torch.jit.load(path, map_location="cpu")(*inputs.values())


def _write_onnx(module, inputs, path, logger):
    names, args = list(inputs), tuple(inputs.values())
    out_names = list(module.output_ports)
    wrapper = _PortsWrapper(module, names).eval()
    axes = _dynamic_axes(module.input_ports, names)
    shapes = tuple({i: torch.export.Dim(label) for i, label in axes.get(name, {}).items()} or None
                   for name in names)
    try:
        with warnings.catch_warnings():  # torch warns about every Dim shared by several inputs
            warnings.filterwarnings("ignore", message="# The axis name")
            torch.onnx.export(wrapper, args, path, dynamo=True, external_data=False, opset_version=_OPSET,
                              input_names=names, output_names=out_names, dynamic_shapes=(shapes,), verbose=False)
        logger.info("ONNX export of %s: torch.export-based exporter", module.name)
    except Exception as error:  # torch.export fails in many unrelated ways
        logger.warning("torch.export-based ONNX export of %s failed (%s); using the TorchScript-based exporter",
                       module.name, _first_line(error.__cause__ or error))
        axes.update(_dynamic_axes(module.output_ports, out_names))
        torch.onnx.export(wrapper, args, path, dynamo=False, opset_version=_OPSET, input_names=names,
                          output_names=out_names, dynamic_axes=axes)


def _run_onnx(module, inputs, path):
    import onnxruntime

    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    feeds = {name: value.numpy() for name, value in inputs.items()}
    return {o.name: torch.from_numpy(v) for o, v in zip(session.get_outputs(), session.run(None, feeds))}


def _write_pytorch(module, inputs, path, logger):
    torch.save(module.state_dict(), path)


def _run_pytorch(module, inputs, path):
    fresh = copy.deepcopy(module)
    checkpoint.load_module_state(fresh, checkpoint.load_state(path), path)
    return fresh.state_dict() if inputs is None else fresh(**inputs)


def _compare(module, d_format, expected, got):
    """Raise ExportError unless every expected tensor is matched in ``got``."""
    for name, want in expected.items():
        have = got.get(name)
        where = f"{module.name} exported to {d_format.name}: output '{name}'"
        if have is None:
            raise ExportError(f"{where} is missing from the exported file's outputs {list(got)}")
        if have.shape != want.shape:
            raise ExportError(f"{where} has shape {tuple(have.shape)}, expected {tuple(want.shape)}")
        have, want = have.double(), want.detach().cpu().double()
        if not torch.allclose(have, want, rtol=_RTOL, atol=_ATOL, equal_nan=True):
            diff = (have - want).abs().nan_to_num(float("inf")).max().item()
            raise ExportError(f"{where} differs from the module's output: max abs difference {diff:.3g} "
                              f"(rtol={_RTOL}, atol={_ATOL})")


def _outputs(module, values):
    """Module outputs (a tensor, a tuple or a dict) as ``{port: tensor}``."""
    return _port_values(module, values, module.output_ports, "output")


_FORMATS = {  # writer, then reader returning the file's outputs on the example
    DeploymentFormat.PYTORCH: (_write_pytorch, _run_pytorch),
    DeploymentFormat.TORCHSCRIPT: (_write_torchscript, _run_torchscript),
    DeploymentFormat.ONNX: (_write_onnx, _run_onnx),
}


def deployment_export(module, output, d_format=DeploymentFormat.AUTO, input_example=None, output_example=None,
                      logger=None):
    """Write ``module`` to ``output`` in ``d_format``, load the file back and check it reproduces the outputs.

    ``input_example`` is a tensor, a tuple in input-port order or ``{port: tensor}``
    (required for TorchScript and ONNX); ``output_example`` in the same forms
    replaces the module's own outputs as the reference. Returns ``output``.
    """
    logger = logger or logging.getLogger("nemo")
    output = os.fspath(output)
    d_format = _resolve_format(module, output, d_format)
    if input_example is None and d_format != DeploymentFormat.PYTORCH:
        raise ValueError(f"input_example is required to export {module.name} to {d_format.name}")
    on_cpu = all(t.device.type == "cpu" for t in [*module.parameters(), *module.buffers()])
    work = module if on_cpu else copy.deepcopy(module).cpu()
    modes = {m: m.training for m in work.modules()}
    work.eval()
    try:
        with torch.no_grad():
            if input_example is None:
                inputs, expected = None, work.state_dict()
            else:
                inputs = {k: v.cpu() for k, v in _port_values(work, input_example, work.input_ports, "input").items()}
                expected = _outputs(work, work(**inputs) if output_example is None else output_example)
            write, run = _FORMATS[d_format]
            with atomic_path(output) as tmp:
                write(work, inputs, tmp, logger)
                try:
                    got = run(work, inputs, tmp)
                except Exception as error:  # loaders and runtimes raise many unrelated types
                    raise ExportError(f"{module.name} exported to {d_format.name} cannot be loaded back and run "
                                      f"on the example: {_first_line(error)}") from error
                _compare(work, d_format, expected, got if isinstance(got, dict) else _outputs(work, got))
    finally:
        for submodule, training in modes.items():
            submodule.train(training)
    logger.info("exported %s to %s (%s) and verified it by loading it back", module.name, output, d_format.name)
    return output
