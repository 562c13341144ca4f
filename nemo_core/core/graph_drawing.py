"""Seeing the graph: the DAG of NmTensors as Graphviz DOT/SVG/PNG and in TensorBoard's graph tab.

Modules are boxes (one per call), edges carry ``output port → input port`` and
the neural type; sources (data layers) are drawn at the top, losses at the
bottom. Backend-free: only the NmTensor/ModuleCall record is read.
"""

import collections
import logging
import os
import shutil
import subprocess

from ..utils.atomic import atomic_path
from .neural_types import LossType
from .nm_tensor import NmTensor

__all__ = ["DrawnGraph", "add_graph_to_tensorboard", "draw_graph", "graph_to_dot"]

IMAGE_FORMATS = ("svg", "png", "pdf")
DrawnGraph = collections.namedtuple("DrawnGraph", ["dot_path", "image_path", "message"])
DrawnGraph.__doc__ = "What ``draw_graph`` wrote: the .dot file, the image (None when not rendered), and why."


def _calls(tensors):
    """The calls computing ``tensors``, producers before consumers (depth-first, in input order)."""
    order, seen = [], set()
    for tensor in tensors:
        if id(tensor.call) in seen:
            continue
        seen.add(id(tensor.call))
        stack = [(tensor.call, iter(list(tensor.call.inputs.values())))]
        while stack:
            call, pending = stack[-1]
            for given in pending:
                if id(given.call) not in seen:
                    seen.add(id(given.call))
                    stack.append((given.call, iter(list(given.call.inputs.values()))))
                    break
            else:
                stack.pop()
                order.append(call)
    return order


def _check_tensors(tensors):
    tensors = [tensors] if isinstance(tensors, NmTensor) else list(tensors)
    if not tensors:
        raise ValueError("draw_graph: give at least one NmTensor (e.g. the loss)")
    for position, tensor in enumerate(tensors):
        if not isinstance(tensor, NmTensor):
            raise TypeError(f"draw_graph: tensors[{position}] is a {type(tensor).__name__}, expected an NmTensor")
    return tensors


def _node_ids(calls):
    """A readable, unique node id per call: the module name, plus ``_call<k>`` after the first call."""
    return {id(call): call.module.name + (f"_call{call.index}" if call.index else "") for call in calls}


def _short_type(ntype):
    """``(B, D:80, T) MelSpectrogramType`` for a NeuralType."""
    if ntype is None:
        return "untyped"
    axes = "" if ntype.axes is None else "(" + ", ".join(str(axis) for axis in ntype.axes) + ") "
    return f"{axes}{ntype.elements_type}"


def _is_loss(call):
    return any(t.ntype is not None and isinstance(t.ntype.elements_type, LossType) for t in call.outputs)


def _quote(text):
    """A DOT double-quoted string; ``\\n`` inside becomes a centred line break."""
    escaped = str(text).replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\n", "\\n") + '"'


def graph_to_dot(tensors, name="nemo_graph"):
    """DOT text of the DAG computing ``tensors`` (an NmTensor or a list of them)."""
    tensors = _check_tensors(tensors)
    calls = _calls(tensors)
    ids = _node_ids(calls)
    requested = {id(t) for t in tensors}
    lines = [f"digraph {_quote(name)} {{", "  rankdir=TB;", '  node [shape=box, style="rounded,filled", '
             'fontname="Helvetica", fillcolor="#eef3fb"];', '  edge [fontname="Helvetica", fontsize=10];']
    sources, losses = [], []
    for call in calls:
        module = call.module
        label = [module.name, type(module).__name__ + (f" (call {call.index + 1})" if call.index else "")]
        wanted = [t.name for t in call.outputs if id(t) in requested]
        if wanted:
            label.append("requested: " + ", ".join(wanted))
        attrs = {"label": "\n".join(label)}
        if not call.inputs:
            attrs["fillcolor"] = "#e3f4e1"
            sources.append(ids[id(call)])
        elif _is_loss(call):
            attrs["fillcolor"] = "#fbe9e7"
            losses.append(ids[id(call)])
        if wanted:
            attrs["peripheries"] = "2"
        rendered = ", ".join(f"{key}={_quote(value)}" for key, value in attrs.items())
        lines.append(f"  {_quote(ids[id(call)])} [{rendered}];")
    for call in calls:
        for port, tensor in call.inputs.items():
            label = f"{tensor.name} → {port}\n{_short_type(tensor.ntype)}"
            lines.append(f"  {_quote(ids[id(tensor.call)])} -> {_quote(ids[id(call)])} [label={_quote(label)}];")
    for rank, members in (("source", sources), ("sink", losses)):
        if members:
            lines.append(f"  {{ rank={rank}; " + " ".join(_quote(m) + ";" for m in members) + " }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _target_paths(path, fmt):
    root, suffix = os.path.splitext(os.fspath(path))
    fmt = (fmt or suffix.lstrip(".") or "svg").lower()
    if fmt != "dot" and fmt not in IMAGE_FORMATS:
        choices = ", ".join(("dot",) + IMAGE_FORMATS)
        raise ValueError(f"draw_graph: unknown format {fmt!r} for {path}; use one of {choices}")
    image = None if fmt == "dot" else (os.fspath(path) if suffix.lstrip(".").lower() == fmt else f"{root}.{fmt}")
    return root + ".dot", image, fmt


def _render(dot_text, dot_program, fmt, image_path):
    """Run Graphviz ``dot`` on the text; the image appears only when it succeeds."""
    with atomic_path(image_path) as tmp:
        result = subprocess.run([dot_program, f"-T{fmt}", "-o", tmp], input=dot_text.encode("utf-8"),
                                capture_output=True, timeout=120, check=False)
        if result.returncode != 0:
            reason = result.stderr.decode(errors="replace").strip()
            raise RuntimeError(f"Graphviz dot failed for {image_path}: {reason}")


def draw_graph(tensors, path, fmt=None, tb_writer=None, name="nemo_graph", logger=None):
    """Draw the DAG computing ``tensors`` to ``path``; returns a :class:`DrawnGraph`.

    The DOT text is always written (beside ``path``, suffix ``.dot``). ``fmt``
    (default: the suffix of ``path``, else ``svg``) may be ``dot``, ``svg``,
    ``png`` or ``pdf``; images need the Graphviz ``dot`` program: when it is
    missing, only the .dot is written, a warning says so and
    ``image_path`` is None. With ``tb_writer`` (a tensorboardX SummaryWriter)
    the graph also goes to TensorBoard's graph tab.
    """
    tensors = _check_tensors(tensors)
    logger = logger or logging.getLogger("nemo")
    dot_path, image_path, fmt = _target_paths(path, fmt)
    dot_text = graph_to_dot(tensors, name)
    with atomic_path(dot_path) as tmp:
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(dot_text)
    message = f"graph written to {dot_path}"
    if image_path is not None:
        dot_program = shutil.which("dot")
        if dot_program is None:
            message = (f"Graphviz 'dot' program not found: wrote {dot_path} only, no {fmt.upper()}. Install Graphviz "
                       f"(e.g. apt-get install graphviz) or render it with: dot -T{fmt} {dot_path} -o {image_path}")
            logger.warning(message)
            image_path = None
        else:
            _render(dot_text, dot_program, fmt, image_path)
            message = f"graph written to {dot_path} and {image_path}"
    if image_path is not None or fmt == "dot":
        logger.info(message)
    if tb_writer is not None:
        add_graph_to_tensorboard(tensors, tb_writer)
    return DrawnGraph(dot_path, image_path, message)


def _graph_def(tensors):
    """A TensorBoard GraphDef: a node per call, op = module class, port types as attributes."""
    from tensorboardX.proto.attr_value_pb2 import AttrValue
    from tensorboardX.proto.graph_pb2 import GraphDef
    from tensorboardX.proto.node_def_pb2 import NodeDef
    from tensorboardX.proto.tensor_shape_pb2 import TensorShapeProto
    from tensorboardX.proto.versions_pb2 import VersionDef

    calls = _calls(tensors)
    ids = _node_ids(calls)
    nodes = []
    for call in calls:
        inputs = [f"{ids[id(t.call)]}:{t.call.outputs.index(t)}" for t in call.inputs.values()]
        attr = {"module": AttrValue(s=f"{type(call.module).__module__}.{type(call.module).__name__}".encode())}
        for port, tensor in call.inputs.items():
            attr[f"in:{port}"] = AttrValue(s=f"{tensor.name} of {ids[id(tensor.call)]}: {_short_type(tensor.ntype)}"
                                           .encode())
        for tensor in call.outputs:
            attr[f"out:{tensor.name}"] = AttrValue(s=_short_type(tensor.ntype).encode())
        shapes = [TensorShapeProto(unknown_rank=t.ntype is None or t.ntype.axes is None,
                                   dim=[TensorShapeProto.Dim(size=a.size or -1, name=str(a))
                                        for a in ((t.ntype.axes if t.ntype is not None else None) or ())])
                  for t in call.outputs]
        attr["_output_shapes"] = AttrValue(list=AttrValue.ListValue(shape=shapes))
        nodes.append(NodeDef(name=ids[id(call)], op=type(call.module).__name__, input=inputs, attr=attr))
    return GraphDef(node=nodes, versions=VersionDef(producer=22))


def add_graph_to_tensorboard(tensors, tb_writer):
    """Write the DAG of ``tensors`` to the graph tab of ``tb_writer`` (a tensorboardX SummaryWriter)."""
    from tensorboardX.proto import event_pb2

    graph = _graph_def(_check_tensors(tensors))
    file_writer = tb_writer._get_file_writer()
    file_writer.add_event(event_pb2.Event(graph_def=graph.SerializeToString()))
    tb_writer.flush()
