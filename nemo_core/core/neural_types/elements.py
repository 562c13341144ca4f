"""Element types: what the values of a tensor mean. Subclassing means "is a kind of"."""
from .comparison import NeuralTypeComparisonResult as Result


class ElementType:
    """Base of all element types; compares by class, then by type parameters."""

    @property
    def type_parameters(self):
        """Parameters that must agree between two elements of the same class."""
        return {}

    @property
    def fields(self):
        """Named sub-types of a container element, or None."""
        return None

    def compare(self, second):
        """How this element type relates to ``second`` (a NeuralTypeComparisonResult)."""
        if not isinstance(second, ElementType):
            raise TypeError(f"can only compare with an ElementType, got {second!r}")
        if isinstance(self, VoidType) or isinstance(second, VoidType):
            return Result.SAME
        first_cls, second_cls = type(self), type(second)
        if first_cls is second_cls:
            return self._compare_same_class(second)
        if issubclass(first_cls, second_cls):
            return Result.LESS
        if issubclass(second_cls, first_cls):
            return Result.GREATER
        return Result.INCOMPATIBLE

    def _compare_same_class(self, second):
        mine, theirs = self.type_parameters, second.type_parameters
        if mine.keys() != theirs.keys():
            return Result.SAME_TYPE_INCOMPATIBLE_PARAMS
        for key, value in mine.items():
            if value is not None and theirs[key] is not None and value != theirs[key]:
                return Result.SAME_TYPE_INCOMPATIBLE_PARAMS
        return Result.SAME if self.fields == second.fields else Result.INCOMPATIBLE

    def __eq__(self, other):
        if not isinstance(other, ElementType):
            return NotImplemented
        return (type(self), self.type_parameters, self.fields) == (type(other), other.type_parameters, other.fields)

    def __hash__(self):
        return hash((type(self), tuple(sorted(self.type_parameters.items()))))

    def __str__(self):
        params = ", ".join(f"{k}={v!r}" for k, v in self.type_parameters.items() if v is not None)
        return f"{type(self).__name__}({params})" if params else type(self).__name__

    __repr__ = __str__


class VoidType(ElementType):
    """Anything: matches every element type, both ways."""


class AudioSignal(ElementType):
    """Raw audio samples; ``freq`` is the sample rate (None: any rate)."""

    def __init__(self, freq=None):
        if freq is not None and (isinstance(freq, bool) or not isinstance(freq, (int, float)) or freq <= 0):
            raise ValueError(f"AudioSignal freq must be a positive number or None, got {freq!r}")
        self._freq = freq

    @property
    def type_parameters(self):
        return {"freq": self._freq}


class ChannelType(ElementType):
    """Generic per-channel features."""


class EmbeddedTextType(ChannelType):
    """Token embeddings."""


class EncodedRepresentation(ChannelType):
    """An encoder's output."""


class AcousticEncodedRepresentation(EncodedRepresentation):
    """An acoustic encoder's output."""


class SpectrogramType(ChannelType):
    """A spectrogram."""


class MelSpectrogramType(SpectrogramType):
    """A mel spectrogram."""


class MFCCSpectrogramType(SpectrogramType):
    """Mel-frequency cepstral coefficients."""


class TokenIndex(ChannelType):
    """Token ids."""


class LogitsType(ElementType):
    """Unnormalized scores."""


class LogprobsType(ElementType):
    """Log probabilities."""


class ProbsType(ElementType):
    """Probabilities."""


class LabelsType(ElementType):
    """Target labels."""


class PredictionsType(LabelsType):
    """Predicted labels."""


class RegressionValuesType(PredictionsType):
    """Predicted real values."""


class CategoricalValuesType(PredictionsType):
    """Predicted categories."""


class MaskType(PredictionsType):
    """A mask."""


class LengthsType(ElementType):
    """Sequence lengths."""


class LossType(ElementType):
    """A loss value."""


class StringType(ElementType):
    """Text."""


class StringLabel(StringType):
    """A text label."""


class BoolType(ElementType):
    """Booleans."""


class IntType(ElementType):
    """Integers."""


class FloatType(ElementType):
    """Real numbers."""


class NormalDistributionSamplesType(ElementType):
    """Samples of a normal distribution."""


class Index(ElementType):
    """Sample indices."""


class SequenceToSequenceAlignmentType(ElementType):
    """An alignment between two sequences."""
