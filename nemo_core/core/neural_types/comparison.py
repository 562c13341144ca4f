"""The result of comparing two neural types (or two element types)."""
from enum import Enum


class NeuralTypeComparisonResult(Enum):
    """How a FIRST type relates to a SECOND one (``first.compare(second)``)."""

    SAME = 0
    LESS = 1  # first is a kind of second (more specific)
    GREATER = 2  # second is a kind of first (first is more general)
    DIM_INCOMPATIBLE = 3  # axis count or axis size differs
    TRANSPOSE_SAME = 4  # same axes in another order
    CONTAINER_SIZE_MISMATCH = 5  # a list axis has another size
    INCOMPATIBLE = 6
    SAME_TYPE_INCOMPATIBLE_PARAMS = 7  # same element class, other parameters
    UNCHECKED = 8  # no check was made
