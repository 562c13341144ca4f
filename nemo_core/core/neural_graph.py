"""Neural graphs (0.11 API): recorded sequences of module calls with bound inputs and outputs.

``with NeuralGraph(operation_mode=OperationMode.training) as g:`` records every
module call made inside. A graph's inputs are placeholders (``g.inputs["x"] =
module.input_ports["x"]``, or ``module(x=g)`` for a default binding); its
outputs are every output of the last call, or those bound with
``g.outputs["name"] = tensor``. Calling a graph like a module
(``y = g(x=tensor)``) replays its calls on real tensors, so an outer graph
holds them flattened. Graphs serialize to plain dicts / YAML, save and restore
their trainable modules' weights, and freeze or unfreeze them.
"""

import collections
import enum
import itertools

from .config_io import read_yaml, write_yaml_atomic
from .neural_types import check_port_type
from .nm_tensor import ModuleCall, NmTensor

__all__ = ["NeuralGraph", "OperationMode", "GraphInputSource", "current_graph"]

_ACTIVE_GRAPHS = []


def current_graph():
    """The graph recording module calls now (the innermost active one), or None."""
    return _ACTIVE_GRAPHS[-1] if _ACTIVE_GRAPHS else None


class OperationMode(enum.Enum):
    """What a graph is for; recorded and serialized (actions set module modes themselves)."""

    training = "training"
    evaluation = "evaluation"
    both = "both"


class GraphInputSource:
    """The producer of a graph input's placeholder tensor (never run: the graph must be called)."""

    is_graph_input = True
    input_ports = {}

    def __init__(self, graph, name, ntype):
        self.graph = graph
        self.port = name
        self.name = f"{graph.name}.inputs.{name}"
        self.output_ports = {name: ntype}


class GraphInputs(collections.abc.Mapping):
    """``g.inputs``: bind with ``g.inputs["name"] = module.input_ports["port"]``; read the placeholder."""

    def __init__(self, graph):
        self._graph = graph
        self._tensors = {}

    def __setitem__(self, name, ntype):
        if name in self._tensors:
            raise KeyError(f"graph {self._graph.name} already has an input named {name!r}")
        call = ModuleCall(GraphInputSource(self._graph, name, ntype), {}, 0)
        tensor = NmTensor(call, name, ntype)
        call.outputs = [tensor]
        self._tensors[name] = tensor

    def __getitem__(self, name):
        try:
            return self._tensors[name]
        except KeyError:
            raise KeyError(f"graph {self._graph.name} has no input {name!r}; inputs: {list(self._tensors)}") from None

    def __iter__(self):
        return iter(self._tensors)

    def __len__(self):
        return len(self._tensors)


class GraphOutputs(collections.abc.Mapping):
    """``g.outputs``: by default every output of the last call; ``g.outputs["n"] = t`` binds chosen ones."""

    def __init__(self, graph):
        self._graph = graph
        self._manual = {}

    @property
    def manual(self):
        return bool(self._manual)

    def __setitem__(self, name, tensor):
        if not isinstance(tensor, NmTensor):
            raise TypeError(f"graph {self._graph.name}: output {name!r} must be an NmTensor, got {type(tensor).__name__}")
        self._manual[name] = tensor

    def _bound(self):
        if self._manual:
            return self._manual
        calls = self._graph.steps
        return {t.name: t for t in calls[-1].outputs} if calls else {}

    def __getitem__(self, name):
        bound = self._bound()
        if name not in bound:
            raise KeyError(f"graph {self._graph.name} has no output {name!r}; outputs: {list(bound)}")
        return bound[name]

    def __iter__(self):
        return iter(self._bound())

    def __len__(self):
        return len(self._bound())


def _has_weights(module):
    """Whether ``module`` is a torch module with parameters (a trainable module of the graph)."""
    return any(True for _ in getattr(module, "parameters", lambda: ())())


class NeuralGraph:
    """A recorded graph of module calls; see the module docstring.

    Args:
        operation_mode: an :class:`OperationMode` (or its name).
        name: the graph's name (``neuralgraph<k>`` by default).
    """

    _counter = itertools.count()

    def __init__(self, operation_mode=OperationMode.both, name=None):
        from ..utils.app_state import AppState

        self.operation_mode = OperationMode(getattr(operation_mode, "value", operation_mode))
        self.name = name or f"neuralgraph{next(NeuralGraph._counter)}"
        self.steps = []
        self.inputs = GraphInputs(self)
        self.outputs = GraphOutputs(self)
        AppState().graphs.register(self)

    # ------------------------------------------------------------------ recording
    def __enter__(self):
        self.activate()
        return self

    def __exit__(self, *exc):
        self.deactivate()

    def activate(self):
        """Record module calls into this graph until :meth:`deactivate`."""
        _ACTIVE_GRAPHS.append(self)

    def deactivate(self):
        if not _ACTIVE_GRAPHS or _ACTIVE_GRAPHS[-1] is not self:
            raise RuntimeError(f"graph {self.name} is not the active graph")
        _ACTIVE_GRAPHS.pop()

    def record(self, call):
        """Called by modules: append a call made while this graph is active."""
        self.steps.append(call)

    def input_for(self, port, ntype):
        """The placeholder for ``module(port=graph)``: the input named ``port``, created on first use."""
        if port not in self.inputs:
            self.inputs[port] = ntype
        return self.inputs[port]

    @property
    def output_tensors(self):
        """Bound output names mapped to their NmTensors."""
        return dict(self.outputs.items())

    @property
    def modules(self):
        """The modules called in this graph, by name, in first-call order."""
        return {call.module.name: call.module for call in self.steps}

    # ------------------------------------------------------------------ calling
    def __call__(self, **kwargs):
        """Replay the graph on real tensors given for its inputs; returns its bound outputs."""
        missing = [name for name in self.inputs if name not in kwargs]
        unknown = sorted(set(kwargs) - set(self.inputs))
        if missing or unknown:
            raise TypeError(f"graph {self.name}: missing input(s) {missing}, unknown input(s) {unknown}; "
                            f"its inputs are {list(self.inputs)}")
        mapping = {}
        for name, value in kwargs.items():
            placeholder = self.inputs[name]
            value = value.input_for(name, placeholder.ntype) if isinstance(value, NeuralGraph) else value
            if not isinstance(value, NmTensor):
                raise TypeError(f"graph {self.name}, input {name!r}: expected an NmTensor, got {type(value).__name__}")
            check_port_type(self.name, name, placeholder.ntype, value.ntype)
            mapping[id(placeholder)] = value
        for call in self.steps:
            args = {port: mapping.get(id(tensor), tensor) for port, tensor in call.inputs.items()}
            result = call.module(**args)
            produced = result if isinstance(result, tuple) else (result,)
            for old, new in zip(call.outputs, produced):
                mapping[id(old)] = new
        outputs = [mapping.get(id(tensor), tensor) for tensor in self.outputs.values()]
        if len(outputs) == 1:
            return outputs[0]
        return collections.namedtuple(f"{self.name}_outputs", list(self.outputs))(*outputs)

    # ------------------------------------------------------------------ looking at it
    def _source(self, tensor, step_index):
        if getattr(tensor.producer, "is_graph_input", False) and tensor.producer.graph is self:
            return f"inputs.{tensor.name}"
        for index, call in enumerate(self.steps[:step_index]):
            if tensor.call is call:
                return f"{index}.{tensor.name}"
        raise ValueError(f"graph {self.name}: step {step_index} uses {tensor.unique_name}, which the graph "
                         "neither computes nor takes as an input")

    def _output_sources(self):
        return {name: self._source(tensor, len(self.steps)) for name, tensor in self.outputs.items()}

    def summary(self):
        """A readable description: modules, steps in order, bound inputs and outputs."""
        lines = [f"NeuralGraph {self.name} ({self.operation_mode.value}): {len(self.steps)} step(s)", "Modules:"]
        lines += [f"  {name}: {type(module).__name__}" for name, module in self.modules.items()]
        lines.append("Inputs:")
        lines += [f"  {name}: {tensor.ntype}" for name, tensor in self.inputs.items()] or ["  (none)"]
        lines.append("Steps:")
        for index, call in enumerate(self.steps):
            args = ", ".join(f"{port}={self._source(t, index)}" for port, t in call.inputs.items())
            outs = ", ".join(t.name for t in call.outputs)
            lines.append(f"  {index}: {call.module.name}({args}) -> {outs}")
        lines.append("Outputs" + (" (bound)" if self.outputs.manual else " (default: the last step's)") + ":")
        lines += [f"  {name}: {source}" for name, source in self._output_sources().items()] or ["  (none)"]
        return "\n".join(lines)

    def draw(self, path, fmt=None):
        """Write a picture of the graph (see :func:`nemo.core.draw_graph`)."""
        from .graph_drawing import draw_graph

        return draw_graph(list(self.outputs.values()), path, fmt)

    # ------------------------------------------------------------------ configs
    def serialize(self):
        """A plain dict (YAML-safe) describing modules, steps, inputs and outputs."""
        modules = {}
        for name, module in self.modules.items():
            modules[name] = module.serialize()
        steps = []
        for index, call in enumerate(self.steps):
            steps.append({"module": call.module.name,
                          "inputs": {port: self._source(t, index) for port, t in call.inputs.items()}})
        return {
            "header": {"full_spec": f"{type(self).__module__}.{type(self).__qualname__}"},
            "name": self.name,
            "operation_mode": self.operation_mode.value,
            "modules": modules,
            "inputs": list(self.inputs),
            "steps": steps,
            "outputs": {"manual": self.outputs.manual, "bindings": self._output_sources()},
        }

    @classmethod
    def deserialize(cls, configuration, reuse_existing_modules=False, name=None):
        """Rebuild a graph from :meth:`serialize`'s dict (new modules unless ``reuse_existing_modules``)."""
        from ..utils.app_state import AppState
        from .neural_module import NeuralModule

        try:
            module_configs, steps = configuration["modules"], configuration["steps"]
            input_names, outputs = configuration.get("inputs", []), configuration["outputs"]
        except (KeyError, TypeError) as error:
            raise ValueError(f"not a serialized NeuralGraph (missing {error})") from error
        live = AppState().modules
        modules = {}
        for module_name, module_config in module_configs.items():
            if reuse_existing_modules and module_name in live:
                modules[module_name] = live[module_name]
            else:
                modules[module_name] = NeuralModule.deserialize(module_config, name=module_name)
        graph = cls(operation_mode=configuration.get("operation_mode", "both"), name=name or configuration.get("name"))
        produced = []
        with graph:
            for index, step in enumerate(steps):
                module = modules[step["module"]]
                args = {}
                for port, source in step["inputs"].items():
                    where, _, port_name = source.partition(".")
                    if where == "inputs":
                        if port_name not in graph.inputs:
                            graph.inputs[port_name] = module.input_ports[port]
                        args[port] = graph.inputs[port_name]
                    else:
                        args[port] = produced[int(where)][port_name]
                result = module(**args)
                result = result if isinstance(result, tuple) else (result,)
                produced.append({t.name: t for t in result})
        missing = [n for n in input_names if n not in graph.inputs]
        if missing:
            raise ValueError(f"serialized graph {graph.name}: input(s) {missing} are used by no step")
        if outputs.get("manual"):
            for out_name, source in outputs["bindings"].items():
                where, _, port_name = source.partition(".")
                graph.outputs[out_name] = graph.inputs[port_name] if where == "inputs" else produced[int(where)][port_name]
        return graph

    def export_to_config(self, config_file):
        """Write :meth:`serialize` to a YAML file (atomically)."""
        write_yaml_atomic(self.serialize(), config_file, what=f"graph {self.name}")

    @classmethod
    def import_from_config(cls, config_file, reuse_existing_modules=False, name=None):
        """Rebuild a graph from a file written by :meth:`export_to_config`."""
        try:
            return cls.deserialize(read_yaml(config_file), reuse_existing_modules, name)
        except ValueError as error:
            raise ValueError(f"{config_file}: {error}") from error

    # ------------------------------------------------------------------ weights
    def _select(self, module_names):
        """Trainable modules named in ``module_names`` (names, any case, or class names); all when None."""
        modules = {n: m for n, m in self.modules.items() if _has_weights(m)}
        if module_names is None:
            return modules
        chosen = {}
        for wanted in module_names:
            matches = [n for n, m in modules.items()
                       if n == wanted or n.lower() == wanted.lower() or type(m).__name__ == wanted]
            if not matches:
                raise KeyError(f"graph {self.name} has no module {wanted!r}; modules: {list(modules)}")
            chosen.update((n, modules[n]) for n in matches)
        return chosen

    def save_to(self, filename, module_names=None):
        """Save the weights of the graph's (chosen) trainable modules to one file."""
        from ..backends.pytorch import checkpoint

        states = {name: module.state_dict() for name, module in self._select(module_names).items()}
        checkpoint.save_state(states, filename)

    def restore_from(self, filename, module_names=None):
        """Load weights saved by :meth:`save_to`; every module is checked before any is loaded."""
        from ..backends.pytorch import checkpoint

        states = checkpoint.load_state(filename)
        chosen = self._select(module_names)
        for name, module in chosen.items():
            if name not in states:
                raise checkpoint.CheckpointError(f"{filename} holds no weights for module {name}; it has {list(states)}")
            checkpoint.check_module_state(module, states[name], filename)
        for name, module in chosen.items():
            module.load_state_dict(states[name], strict=True)

    def freeze(self, module_names=None):
        for module in self._select(module_names).values():
            if hasattr(module, "freeze"):
                module.freeze()

    def unfreeze(self, module_names=None):
        for module in self._select(module_names).values():
            if hasattr(module, "unfreeze"):
                module.unfreeze()

    def __repr__(self):
        return f"NeuralGraph({self.name}, {len(self.steps)} steps)"
