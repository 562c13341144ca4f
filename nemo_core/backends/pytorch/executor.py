"""Run a planned DAG on one batch: forward calls in order, values keyed by tensor."""

import torch

__all__ = ["DagExecutor", "move_to_device"]


def move_to_device(value, device, non_blocking=False):
    """Move tensors (also inside lists/tuples) to ``device``; leave other values."""
    if isinstance(value, torch.Tensor):
        return value.to(device, non_blocking=non_blocking)
    if isinstance(value, (list, tuple)):
        return type(value)(move_to_device(v, device, non_blocking) for v in value)
    return value


class DagExecutor:
    """Precompiled form of a :class:`~nemo.core.graph.GraphPlan`.

    ``callables`` maps a module to what should be called in its place (e.g. its
    DistributedDataParallel wrapper); by default the module's ``nn.Module`` call.
    """

    def __init__(self, plan, callables=None):
        callables = callables or {}
        layer_call = plan.calls[0]
        self.data_layer = layer_call.module
        self.layer_keys = [tensor.unique_name for tensor in layer_call.outputs]
        self.steps = []
        for call in plan.calls[1:]:
            module = call.module
            fn = callables.get(module) or torch.nn.Module.__call__.__get__(module)
            inputs = [(port, tensor.unique_name) for port, tensor in call.inputs.items()]
            outputs = [tensor.unique_name for tensor in call.outputs]
            self.steps.append((fn, inputs, outputs, module.name))

    def run(self, batch):
        """Compute every tensor of the plan for ``batch``; returns ``{unique_name: value}``."""
        if len(batch) < len(self.layer_keys):
            raise ValueError(
                f"data layer {self.data_layer.name} yielded {len(batch)} values per batch, "
                f"its output ports need {len(self.layer_keys)}"
            )
        values = dict(zip(self.layer_keys, batch))
        for fn, inputs, outputs, name in self.steps:
            result = fn(**{port: values[key] for port, key in inputs})
            if len(outputs) == 1:
                values[outputs[0]] = result
                continue
            if not isinstance(result, (tuple, list)) or len(result) != len(outputs):
                raise ValueError(f"module {name} returned {type(result).__name__}; expected {len(outputs)} outputs")
            values.update(zip(outputs, result))
        return values
