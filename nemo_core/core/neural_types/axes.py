"""Axis kinds, axis types and the legacy (NeMo 0.9) axis tags."""
from enum import Enum


class AxisKind(Enum):
    """The meaning of one tensor axis."""

    Batch = 0
    Time = 1
    Dimension = 2
    Channel = 3
    Width = 4
    Height = 5
    Any = 6

    @property
    def letter(self):
        """Short label: ``B``, ``T``, ``D``, ``C``, ``W``, ``H`` or ``ANY``."""
        return _LETTERS[self]

    def __str__(self):
        return self.letter

    @classmethod
    def from_str(cls, label):
        """Parse a short label or a full name, case-insensitive."""
        if not isinstance(label, str):
            raise TypeError(f"axis label must be a string, got {type(label).__name__}: {label!r}")
        key = label.strip().upper()
        for kind in cls:
            if key in (kind.letter, kind.name.upper()):
                return kind
        allowed = ", ".join(kind.letter for kind in cls)
        names = ", ".join(kind.name for kind in cls)
        raise ValueError(f"unknown axis label {label!r}; allowed: {allowed} (or the full names {names})")


_LETTERS = {
    AxisKind.Batch: "B",
    AxisKind.Time: "T",
    AxisKind.Dimension: "D",
    AxisKind.Channel: "C",
    AxisKind.Width: "W",
    AxisKind.Height: "H",
    AxisKind.Any: "ANY",
}


class AxisTag:
    """Legacy axis tag (NeMo 0.9); each tag names the AxisKind it stands for."""

    kind = AxisKind.Any


class BatchTag(AxisTag):
    kind = AxisKind.Batch


class TimeTag(AxisTag):
    kind = AxisKind.Time


class ProcessedTimeTag(TimeTag):
    kind = AxisKind.Time


class ChannelTag(AxisTag):
    kind = AxisKind.Channel


class SpectrogramSignalTag(ChannelTag):
    kind = AxisKind.Dimension


class EncodedRepresentationTag(ChannelTag):
    kind = AxisKind.Dimension


class WidthTag(AxisTag):
    kind = AxisKind.Width


class HeightTag(AxisTag):
    kind = AxisKind.Height


def _to_kind(kind):
    """An AxisKind from an AxisKind, a label string or a legacy tag class."""
    if isinstance(kind, AxisKind):
        return kind
    if isinstance(kind, str):
        return AxisKind.from_str(kind)
    if isinstance(kind, type) and issubclass(kind, AxisTag):
        return kind.kind
    raise TypeError(f"axis kind must be an AxisKind, a label such as 'B' or a legacy tag class, got {kind!r}")


_FEATURE_KINDS = {AxisKind.Dimension, AxisKind.Channel}


class AxisType:
    """One axis: its kind, an optional fixed size, and whether it is a list (container) axis."""

    def __init__(self, kind, size=None, is_list=False):
        if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size <= 0):
            raise ValueError(f"axis size must be a positive int or None, got {size!r}")
        self.kind = _to_kind(kind)
        self.size = size
        self.is_list = bool(is_list)

    @classmethod
    def sized(cls, kind, size):
        """An axis of ``kind`` whose size is ``size`` when that is a positive int (a constructor
        argument such as ``feat_in``), else of unknown size."""
        known = isinstance(size, int) and not isinstance(size, bool) and size > 0
        return cls(kind, size if known else None)

    def kind_matches(self, other):
        """True when the kinds are equal, either is ``AxisKind.Any``, or both are feature
        axes (Dimension and Channel: legacy ``ChannelTag`` ports meet ``'D'`` ports)."""
        kinds = {self.kind, other.kind}
        return AxisKind.Any in kinds or len(kinds) == 1 or kinds == _FEATURE_KINDS

    def size_matches(self, other):
        """True when either size is unknown or both are equal."""
        return self.size is None or other.size is None or self.size == other.size

    def matches(self, other):
        """True when kind, size and list-ness are all compatible."""
        return self.kind_matches(other) and self.size_matches(other) and self.is_list == other.is_list

    def __eq__(self, other):
        if not isinstance(other, AxisType):
            return NotImplemented
        return (self.kind, self.size, self.is_list) == (other.kind, other.size, other.is_list)

    def __hash__(self):
        return hash((self.kind, self.size, self.is_list))

    def __str__(self):
        text = self.kind.letter if self.size is None else f"{self.kind.letter}:{self.size}"
        return f"[{text}]" if self.is_list else text

    def __repr__(self):
        extra = "" if self.size is None else f", {self.size}"
        extra += ", is_list=True" if self.is_list else ""
        return f"AxisType(AxisKind.{self.kind.name}{extra})"
