"""Checks for user-given arguments: each error names where the value came from, the value and what fits."""

import numbers

__all__ = ["check_int", "check_number", "check_bool", "check_pair", "ArgumentError"]


class ArgumentError(ValueError):
    """A user-given argument of the wrong type or range."""


def _fail(where, value, expected):
    raise ArgumentError(f"{where} = {value!r} ({type(value).__name__}): expected {expected}")


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_int(value, where, minimum=None, optional=False):
    """``value`` as an int >= ``minimum`` (None passes when ``optional``)."""
    if value is None and optional:
        return None
    bound = "" if minimum is None else f" >= {minimum}"
    if not _is_int(value) or (minimum is not None and value < minimum):
        _fail(where, value, f"an integer{bound}" + (" or None" if optional else ""))
    return int(value)


def check_number(value, where, minimum=None, positive=False, optional=False):
    """``value`` as a float (>= ``minimum``, or > 0 with ``positive``); None passes when ``optional``."""
    if value is None and optional:
        return None
    if positive:
        bound = " > 0"
    else:
        bound = "" if minimum is None else f" >= {minimum}"
    ok = _is_number(value) and value == value and (
        (not positive or value > 0) and (minimum is None or value >= minimum)
    )
    if not ok:
        _fail(where, value, f"a number{bound}" + (" or None" if optional else ""))
    return float(value)


def check_bool(value, where, optional=False):
    """``value`` as a bool (None passes when ``optional``)."""
    if value is None and optional:
        return None
    if not isinstance(value, bool):
        _fail(where, value, "True or False" + (" or None" if optional else ""))
    return value


def check_pair(value, where):
    """``value`` as a tuple of two numbers (e.g. Adam's betas)."""
    if isinstance(value, (str, bytes)) or not hasattr(value, "__len__") or len(value) != 2 or not all(
        _is_number(v) for v in value
    ):
        _fail(where, value, "two numbers, e.g. (0.9, 0.999)")
    return tuple(float(v) for v in value)
