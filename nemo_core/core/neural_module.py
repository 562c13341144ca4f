"""The backend-free neural module: ports, lazy graph calls, naming, YAML configs."""

import collections
import enum
import functools
import importlib
import inspect
import itertools
import sys
from abc import ABC, abstractmethod
from collections import defaultdict

from ..utils.app_state import AppState
from .config_io import read_yaml, write_yaml_atomic
from .neural_graph import NeuralGraph, current_graph
from .neural_types import check_port_type
from .nm_tensor import ModuleCall, NmTensor

__all__ = ["NeuralModule", "ModuleCallError", "WeightShareTransform"]

# Keyword arguments the legacy API passed to every module; accepted and kept.
_LEGACY_KWARGS = ("placement", "factory", "pretrained_model_name", "create_port_args")


class WeightShareTransform(enum.Enum):
    """How ``set_weights`` / ``tie_weights_with`` map a weight onto another: as it is, or transposed."""

    SAME = 0
    TRANSPOSE = 1


class ModuleCallError(TypeError):
    """A graph call with missing, unknown or non-NmTensor arguments."""


def _bind_init_params(cls, args, kwargs):
    """The constructor arguments of ``cls`` as a flat dict (defaults included)."""
    try:
        bound = inspect.signature(cls.__init__).bind(None, *args, **kwargs)
    except TypeError:
        return dict(kwargs)  # __init__ will raise the real error
    bound.apply_defaults()
    params = {}
    for name, value in list(bound.arguments.items())[1:]:
        kind = bound.signature.parameters[name].kind
        if kind is inspect.Parameter.VAR_KEYWORD:
            params.update(value)
        elif kind is not inspect.Parameter.VAR_POSITIONAL:
            params[name] = value
    return params


@functools.lru_cache(maxsize=None)
def _outputs_tuple(cls, port_names):
    """The namedtuple type of a module class's outputs (unpackable like a tuple)."""
    fields = [name if name.isidentifier() else f"output_{i}" for i, name in enumerate(port_names)]
    return collections.namedtuple(f"{cls.__name__}Outputs", fields, rename=True)


class NeuralModule(ABC):
    """Base of every neural module.

    Subclasses declare ``input_ports`` and ``output_ports`` (dicts of
    :class:`NeuralType`). Calling a module with NmTensors records a graph call
    and returns its output NmTensors (one, or a tuple in port order); nothing
    is computed until a factory action runs the graph.
    """

    _name_counters = defaultdict(itertools.count)

    def __init_subclass__(cls, **kwargs):
        """Legacy 0.8/0.9 modules declare ports with a static ``create_ports()``."""
        super().__init_subclass__(**kwargs)
        if "create_ports" in cls.__dict__:
            if "input_ports" not in cls.__dict__:
                cls.input_ports = property(lambda self: type(self).create_ports()[0])
            if "output_ports" not in cls.__dict__:
                cls.output_ports = property(lambda self: type(self).create_ports()[1])

    def __new__(cls, *args, **kwargs):
        instance = super().__new__(cls)
        object.__setattr__(instance, "_init_params", _bind_init_params(cls, args, kwargs))
        return instance

    def __init__(self, name=None, **kwargs):
        unknown = sorted(set(kwargs) - set(_LEGACY_KWARGS))
        if unknown:
            raise TypeError(f"{type(self).__name__}: unknown constructor argument(s) {unknown}")
        self._placement = kwargs.get("placement")
        prefix = type(self).__name__.lower()
        self._name = name or f"{prefix}{next(self._name_counters[prefix])}"
        self._graph_calls = 0
        AppState().modules.register(self)

    @property
    @abstractmethod
    def input_ports(self):
        """Input port names mapped to their NeuralType."""

    @property
    @abstractmethod
    def output_ports(self):
        """Output port names mapped to their NeuralType."""

    @property
    def name(self):
        """The module's unique name (``MLP0``, or the ``name=`` given)."""
        return self._name

    @property
    def unique_instance_id(self):
        """Legacy alias of :attr:`name`."""
        return self._name

    @property
    def init_params(self):
        """The constructor arguments this instance was built with."""
        return dict(self._init_params)

    @property
    def local_parameters(self):
        """Legacy alias of :attr:`init_params`."""
        return self.init_params

    def __call__(self, **kwargs):
        """Record a graph call; returns the output NmTensor, or a namedtuple of them in port order.

        An argument may be a :class:`NeuralGraph` (``module(x=graph)``): the graph
        gets an input named after the port, bound to it.
        """
        input_ports = self.input_ports or {}
        for port, value in kwargs.items():
            if isinstance(value, NeuralGraph) and port in input_ports:
                kwargs[port] = value.input_for(port, input_ports[port])
        unknown = sorted(set(kwargs) - set(input_ports))
        if unknown:
            raise ModuleCallError(
                f"Module {self.name}: unknown input port(s) {unknown}; its input ports are {sorted(input_ports)}"
            )
        for port, port_type in input_ports.items():
            if port not in kwargs:
                if not port_type.optional:
                    raise ModuleCallError(
                        f"Module {self.name}: required input port '{port}' ({port_type}) was not given"
                    )
                continue
            value = kwargs[port]
            if not isinstance(value, NmTensor):
                raise ModuleCallError(
                    f"Module {self.name}, input port '{port}': expected an NmTensor, got {type(value).__name__}"
                )
            check_port_type(self.name, port, port_type, value.ntype)
        call = ModuleCall(self, kwargs, self._graph_calls)
        self._graph_calls += 1
        call.outputs = [NmTensor(call, port, ntype) for port, ntype in (self.output_ports or {}).items()]
        graph = current_graph()
        if graph is not None:
            graph.record(call)
        if len(call.outputs) == 1:
            return call.outputs[0]
        return _outputs_tuple(type(self), tuple(t.name for t in call.outputs))(*call.outputs)

    def serialize(self):
        """``{"header": {"full_spec": ...}, "init_params": {...}}`` (YAML-safe) to rebuild this module."""
        cls = type(self)
        params = {k: v for k, v in self._init_params.items() if k not in _LEGACY_KWARGS and k != "name"}
        return {"header": {"full_spec": f"{cls.__module__}.{cls.__qualname__}"}, "init_params": params}

    @classmethod
    def deserialize(cls, configuration, overwrite_params=None, name=None, where="configuration"):
        """Build a module from :meth:`serialize`'s dict (or a config section without a header, for ``cls``).

        Only ``NeuralModule`` subclasses are built, and a class is looked up without
        running code the user has not imported (see :func:`_resolve_class`).
        """
        if not isinstance(configuration, dict):
            raise ValueError(f"{where}: expected a mapping, got {type(configuration).__name__}")
        if "header" in configuration:
            try:
                spec = configuration["header"]["full_spec"]
            except (KeyError, TypeError) as error:
                raise ValueError(f"{where}: expected 'header: {{full_spec: ...}}'") from error
            target = _resolve_class(spec, where)
            if not (inspect.isclass(target) and issubclass(target, NeuralModule)):
                raise ValueError(f"{where}: '{spec}' is not a NeuralModule subclass; refusing to build it")
            if not issubclass(target, cls):
                raise ValueError(f"{where}: '{spec}' is not a subclass of {cls.__name__}")
            params = dict(configuration.get("init_params") or {})
        elif "init_params" in configuration or cls is NeuralModule or inspect.isabstract(cls):
            raise ValueError(f"{where}: expected keys 'header: {{full_spec: ...}}' and 'init_params'")
        else:  # a legacy model-config section: the class's own parameters
            target, params = cls, dict(configuration)
        params.update(overwrite_params or {})
        if name is not None:
            params["name"] = name
        return target(**params)

    def export_to_config(self, config_file):
        """Write the class's full name and its init parameters to a YAML file."""
        write_yaml_atomic(self.serialize(), config_file, what=f"init parameters of {self.name}")

    @classmethod
    def import_from_config(cls, config_file, section_name=None, name=None, overwrite_params=None):
        """Instantiate a module from a YAML file written by :meth:`export_to_config`, or from the
        section ``section_name`` of a model config holding several modules (with or without a
        ``header``/``init_params`` split)."""
        config = read_yaml(config_file)
        where = str(config_file)
        if section_name is not None:
            if not isinstance(config, dict) or section_name not in config:
                sections = sorted(config) if isinstance(config, dict) else []
                raise ValueError(f"{config_file}: no section {section_name!r}; sections: {sections}")
            config, where = config[section_name], f"{config_file}, section {section_name}"
        return cls.deserialize(config, overwrite_params=overwrite_params, name=name, where=where)


# Packages whose modules a config may import; any other module must already be imported.
TRUSTED_PACKAGES = ("nemo", "nemo_asr", "nemo_nlp", "nemo_tts")


def _resolve_class(spec, config_file):
    """The class named ``module.path.ClassName`` by a config, without running unknown code.

    Modules of the toolkit's packages are imported when needed; any other
    module must already have been imported by the user's script.
    """
    module_path, _, class_name = str(spec).rpartition(".")
    if module_path in sys.modules:
        module = sys.modules[module_path]
    elif module_path.split(".")[0] in TRUSTED_PACKAGES:
        try:
            module = importlib.import_module(module_path)
        except ImportError as error:
            raise ValueError(f"{config_file}: cannot import class '{spec}': {error}") from error
    else:
        raise ValueError(
            f"{config_file}: class '{spec}' is in module '{module_path}', which is not imported; a config never "
            f"imports code outside {', '.join(TRUSTED_PACKAGES)}: import '{module_path}' in your script first"
        )
    target = getattr(module, class_name, None)
    if target is None:
        raise ValueError(f"{config_file}: module '{module_path}' has no class '{class_name}'")
    return target
