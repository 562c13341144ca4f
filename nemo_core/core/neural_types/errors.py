"""Errors raised when neural types do not fit."""
from .comparison import NeuralTypeComparisonResult as Result

_HINTS = {
    Result.TRANSPOSE_SAME: "the axes are transposed; transpose the tensor before this port",
    Result.GREATER: "the received elements are more general than the port accepts",
    Result.SAME_TYPE_INCOMPATIBLE_PARAMS: "the element parameters (e.g. the sample rate) differ",
}


class NeuralTypeError(Exception):
    """Base of all neural type errors."""


class NeuralPortNameMismatchError(NeuralTypeError):
    """A module was called with a port name it does not have."""

    def __init__(self, module_name, port_name, known_ports=()):
        self.module_name = module_name
        self.port_name = port_name
        self.known_ports = tuple(known_ports)
        known = ", ".join(self.known_ports) or "none"
        super().__init__(f"Module {module_name} has no input port '{port_name}'; its input ports are: {known}")


class NeuralPortNmTensorMismatchError(NeuralTypeError):
    """A tensor's neural type does not fit the input port it was given to."""

    def __init__(self, module_name, port_name, expected, received, result):
        self.module_name = module_name
        self.port_name = port_name
        self.expected = expected
        self.received = received
        self.result = result
        message = (
            f"Module {module_name}, input port '{port_name}': expected {expected}, received {received}; "
            f"comparison result: {result.name}"
        )
        if result in _HINTS:
            message += f" ({_HINTS[result]})"
        super().__init__(message)
