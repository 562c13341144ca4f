"""The framework core: neural types, modules, graphs, the factory and callbacks."""

from . import neural_types
from .callbacks import ActionCallback, CheckpointCallback, EvaluatorCallback, SimpleLossLoggerCallback
from .factory import Backend, DeploymentFormat, DeviceType, NeuralModuleFactory, Optimization
from .graph import GraphError, GraphPlan, plan_graph
from .graph_drawing import draw_graph
from .neural_module import ModuleCallError, NeuralModule
from .neural_types import *  # noqa: F401,F403  (legacy scripts use nemo.core.NeuralType etc.)
from .neural_types import __all__ as _types_all
from .nm_tensor import ModuleCall, NmTensor

__all__ = [
    "ActionCallback",
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
