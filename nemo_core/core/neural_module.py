"""The backend-free neural module: ports, lazy graph calls, naming, YAML configs."""

import importlib
import inspect
import itertools
import sys
from abc import ABC, abstractmethod
from collections import defaultdict

from .config_io import read_yaml, write_yaml_atomic
from .neural_types import check_port_type
from .nm_tensor import ModuleCall, NmTensor

__all__ = ["NeuralModule", "ModuleCallError"]

# Keyword arguments the legacy API passed to every module; accepted and kept.
_LEGACY_KWARGS = ("placement", "factory")


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
        self._name = name or f"{type(self).__name__}{next(self._name_counters[type(self).__name__])}"
        self._graph_calls = 0

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
        """Record a graph call; returns the output NmTensor(s)."""
        input_ports = self.input_ports or {}
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
        if len(call.outputs) == 1:
            return call.outputs[0]
        return tuple(call.outputs)

    def export_to_config(self, config_file):
        """Write the class's full name and its init parameters to a YAML file."""
        cls = type(self)
        params = {k: v for k, v in self._init_params.items() if k not in _LEGACY_KWARGS}
        config = {
            "header": {"full_spec": f"{cls.__module__}.{cls.__qualname__}"},
            "init_params": params,
        }
        write_yaml_atomic(config, config_file, what=f"init parameters of {self.name}")

    @classmethod
    def import_from_config(cls, config_file, name=None, overwrite_params=None):
        """Instantiate the module described by a YAML file from :meth:`export_to_config`."""
        config = read_yaml(config_file)
        try:
            spec = config["header"]["full_spec"]
            params = dict(config.get("init_params") or {})
        except (KeyError, TypeError) as error:
            raise ValueError(
                f"{config_file}: expected keys 'header: {{full_spec: ...}}' and 'init_params'"
            ) from error
        target = _resolve_class(spec, config_file)
        if not (inspect.isclass(target) and issubclass(target, NeuralModule)):
            raise ValueError(f"{config_file}: '{spec}' is not a NeuralModule subclass; refusing to build it")
        if not issubclass(target, cls):
            raise ValueError(f"{config_file}: '{spec}' is not a subclass of {cls.__name__}")
        params.update(overwrite_params or {})
        if name is not None:
            params["name"] = name
        return target(**params)


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
