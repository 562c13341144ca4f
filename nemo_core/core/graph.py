"""Backend-free graph planning: from requested NmTensors to an ordered list of calls."""

from .nm_tensor import NmTensor

__all__ = ["GraphPlan", "GraphError", "plan_graph"]


class GraphError(ValueError):
    """A set of tensors that does not form a runnable DAG."""


class GraphPlan:
    """The calls computing ``tensors``, in topological order.

    ``calls[0]`` is the call of the single data layer feeding the DAG;
    ``modules`` lists each module of the DAG once, in first-use order.
    """

    def __init__(self, tensors, calls):
        self.tensors = list(tensors)
        self.calls = calls
        self.modules = list(dict.fromkeys(call.module for call in calls))

    @property
    def data_layer(self):
        return self.calls[0].module


def _is_data_layer(module):
    return not (module.input_ports or {})


def plan_graph(tensors, what="the requested tensors"):
    """Plan the DAG computing ``tensors``; it must be fed by exactly one data layer."""
    tensors = list(tensors)
    for tensor in tensors:
        if not isinstance(tensor, NmTensor):
            raise GraphError(f"{what}: expected NmTensors, got {type(tensor).__name__}")
    order, seen = [], set()
    for root in tensors:
        stack = [(root.call, False)]
        while stack:
            call, expanded = stack.pop()
            if expanded:
                order.append(call)
                continue
            if id(call) in seen:
                continue
            seen.add(id(call))
            stack.append((call, True))
            stack.extend((t.call, False) for t in reversed(list(call.inputs.values())) if id(t.call) not in seen)
    sources = [call for call in order if not call.inputs]
    layers = [call for call in sources if _is_data_layer(call.module)]
    if len(layers) != 1:
        names = ", ".join(call.module.name for call in layers) or "none"
        raise GraphError(
            f"{what} must come from exactly one data layer; found {len(layers)} ({names}). "
            "Build each train/eval DAG from its own single data layer call."
        )
    order.remove(layers[0])
    return GraphPlan(tensors, [layers[0]] + order)
