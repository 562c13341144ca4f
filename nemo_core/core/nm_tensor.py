"""Symbolic tensors: the only record of a lazily built graph.

A module call in graph mode produces a :class:`ModuleCall` holding the NmTensors
it consumed, and one :class:`NmTensor` per output port. Walking back from any
set of NmTensors therefore recovers the sub-DAG that computes them.
"""

__all__ = ["ModuleCall", "NmTensor"]


class ModuleCall:
    """One call of a neural module inside a graph.

    ``module`` is the called module, ``inputs`` maps its input port names to the
    NmTensors given, ``index`` counts the module's graph calls (0 for the first),
    ``outputs`` lists the produced NmTensors in output-port order.
    """

    __slots__ = ("module", "inputs", "index", "outputs")

    def __init__(self, module, inputs, index):
        self.module = module
        self.inputs = dict(inputs)
        self.index = index
        self.outputs = []

    def __repr__(self):
        return f"ModuleCall({self.module.name}#{self.index})"


class NmTensor:
    """A symbolic output of a module call: no data, only where it comes from.

    ``unique_name`` starts with the port name, then the producing module's name
    (``loss~~~CTCLossNM0``); calls after a module's first add ``~~~call<k>``, so
    the same module used in a train and an eval graph gives distinct names.
    """

    __slots__ = ("call", "name", "ntype", "unique_name", "alias")

    def __init__(self, call, name, ntype):
        self.call = call
        self.name = name
        self.ntype = ntype
        suffix = f"~~~call{call.index}" if call.index else ""
        self.unique_name = f"{name}~~~{call.module.name}{suffix}"
        self.alias = None

    def rename(self, new_name):
        """Give the tensor a short name (e.g. for ``tensors_to_log=["loss"]``); returns the tensor."""
        self.alias = str(new_name)
        return self

    @property
    def producer(self):
        """The module whose call produced this tensor."""
        return self.call.module

    @property
    def producer_args(self):
        """The input NmTensors of the producing call, by port name."""
        return self.call.inputs

    def __repr__(self):
        return f"NmTensor({self.unique_name}, {self.ntype})"
