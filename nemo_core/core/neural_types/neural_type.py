"""NeuralType: axes plus element type, and the port check used by the graph builder."""
from itertools import permutations

from .axes import AxisType
from .comparison import NeuralTypeComparisonResult
from .elements import ElementType, VoidType
from .errors import NeuralPortNmTensorMismatchError

Result = NeuralTypeComparisonResult
ACCEPTED = (Result.SAME, Result.LESS)


def _parse_axes(axes):
    """A tuple of AxisType from letters/kinds/AxisTypes, or a legacy ``{index: AxisType}`` dict."""
    if axes is None:
        return None
    if isinstance(axes, dict):
        if not axes:
            return None
        if sorted(axes) != list(range(len(axes))):
            raise ValueError(f"legacy axes dict must have keys 0..{len(axes) - 1}, got {sorted(axes)}")
        axes = [axes[index] for index in range(len(axes))]
    elif isinstance(axes, str) or not isinstance(axes, (tuple, list)):
        raise TypeError(f"axes must be a tuple or list such as ('B', 'T') or tuple('B'), got {axes!r}")
    return tuple(axis if isinstance(axis, AxisType) else AxisType(axis) for axis in axes)


def _compare_axes(first, second):
    if first is None or second is None:
        return Result.SAME
    if len(first) != len(second):
        return Result.DIM_INCOMPATIBLE
    pairs = list(zip(first, second))
    if all(a.kind_matches(b) for a, b in pairs):
        for a, b in pairs:
            if a.is_list != b.is_list:
                return Result.DIM_INCOMPATIBLE
            if not a.size_matches(b):
                return Result.CONTAINER_SIZE_MISMATCH if a.is_list else Result.DIM_INCOMPATIBLE
        return Result.SAME
    if any(all(a.matches(b) for a, b in zip(first, order)) for order in permutations(second)):
        return Result.TRANSPOSE_SAME
    return Result.INCOMPATIBLE


class NeuralType:
    """The type of a port or tensor: ``axes`` (None: any shape) and ``elements_type``."""

    __hash__ = None

    def __init__(self, axes=None, elements_type=None, optional=False):
        elements_type = VoidType() if elements_type is None else elements_type
        if not isinstance(elements_type, ElementType):
            raise TypeError(f"elements_type must be an ElementType instance (e.g. LossType()), got {elements_type!r}")
        self._axes = _parse_axes(axes)
        self._elements_type = elements_type
        self._optional = bool(optional)

    @property
    def axes(self):
        """Tuple of AxisType, or None when the shape is not checked."""
        return self._axes

    @property
    def elements_type(self):
        return self._elements_type

    @property
    def optional(self):
        return self._optional

    def compare(self, second):
        """How this type relates to ``second``; axes decide first, then elements."""
        if not isinstance(second, NeuralType):
            raise TypeError(f"can only compare with a NeuralType, got {second!r}")
        axes = _compare_axes(self._axes, second.axes)
        if axes is not Result.SAME:
            return axes
        return self._elements_type.compare(second.elements_type)

    def __eq__(self, other):
        if not isinstance(other, NeuralType):
            return NotImplemented
        return (self._axes, self._elements_type, self._optional) == (other.axes, other.elements_type, other.optional)

    def __str__(self):
        axes = "None" if self._axes is None else "(" + ", ".join(str(axis) for axis in self._axes) + ")"
        optional = ", optional=True" if self._optional else ""
        return f"NeuralType(axes={axes}, elements={self._elements_type}{optional})"

    __repr__ = __str__


def check_port_type(module_name, port_name, port_type, received_type):
    """Accept ``received_type`` for the port when it is SAME or LESS, else raise NeuralPortNmTensorMismatchError."""
    result = received_type.compare(port_type)
    if result not in ACCEPTED:
        raise NeuralPortNmTensorMismatchError(module_name, port_name, port_type, received_type, result)
