"""The framework core: neural types, modules, graphs, the factory and callbacks."""

from . import callbacks, neural_types
from .callbacks import (
    ActionCallback,
    CheckpointCallback,
    EvaluatorCallback,
    NeMoCallback,
    SimpleLogger,
    SimpleLossLoggerCallback,
    TensorboardLogger,
    WandBLogger,
)
from .factory import Backend, DeploymentFormat, DeviceType, NeuralModuleFactory, Optimization
from .graph import GraphError, GraphPlan, plan_graph
from .graph_drawing import draw_graph
from .neural_graph import NeuralGraph, OperationMode
from .neural_module import ModuleCallError, NeuralModule, WeightShareTransform
from .neural_types import *  # noqa: F401,F403  (legacy scripts use nemo.core.NeuralType etc.)
from .neural_types import __all__ as _types_all
from .nm_tensor import ModuleCall, NmTensor
from .training_callbacks import ModuleSaverCallback, UnfreezeCallback, ValueSetterCallback

__all__ = [
    "AVAILABLE_OPTIMIZERS",
    "ActionCallback",
    "ModuleSaverCallback",
    "NeMoCallback",
    "NeuralGraph",
    "OperationMode",
    "SimpleLogger",
    "TensorboardLogger",
    "UnfreezeCallback",
    "ValueSetterCallback",
    "WandBLogger",
    "WeightShareTransform",
    "callbacks",
    "register_optimizer",
    "Backend",
    "CheckpointCallback",
    "DeploymentFormat",
    "DeviceType",
    "EvaluatorCallback",
    "GraphError",
    "GraphPlan",
    "ModuleCall",
    "ModuleCallError",
    "NeuralModule",
    "NeuralModuleFactory",
    "NmTensor",
    "Optimization",
    "SimpleLossLoggerCallback",
    "neural_types",
    "plan_graph",
] + list(_types_all)


def __getattr__(name):
    """Backend parts reachable from ``nemo.core``: ``AVAILABLE_OPTIMIZERS``, ``register_optimizer``,
    ``ProfilerCallback``, ``PretrainedModelInfo``."""
    if name in ("AVAILABLE_OPTIMIZERS", "register_optimizer"):
        from ..backends.pytorch import optimizers

        return getattr(optimizers, name)
    if name == "ProfilerCallback":
        from ..backends.pytorch.profiling import ProfilerCallback

        return ProfilerCallback
    if name == "PretrainedModelInfo":
        from ..backends.pytorch.common.pretrained import PretrainedModelInfo

        return PretrainedModelInfo
    raise AttributeError(f"module 'nemo.core' has no attribute {name!r}")
