"""Neural types: axis parsing, element and axes comparison, the port check."""
import pathlib
import subprocess
import sys

import pytest

from nemo.core.neural_types import (
    AcousticEncodedRepresentation,
    AudioSignal,
    AxisKind,
    AxisTag,
    AxisType,
    BatchTag,
    ChannelTag,
    ChannelType,
    ElementType,
    EncodedRepresentation,
    EncodedRepresentationTag,
    LabelsType,
    LengthsType,
    LogprobsType,
    LossType,
    MelSpectrogramType,
    MFCCSpectrogramType,
    NeuralPortNameMismatchError,
    NeuralPortNmTensorMismatchError,
    NeuralType,
    NeuralTypeComparisonResult,
    NeuralTypeError,
    PredictionsType,
    ProcessedTimeTag,
    SpectrogramSignalTag,
    SpectrogramType,
    TimeTag,
    VoidType,
    check_port_type,
)
from nemo.core import neural_types

R = NeuralTypeComparisonResult


def test_result_values():
    assert [(r.name, r.value) for r in R] == [
        ("SAME", 0),
        ("LESS", 1),
        ("GREATER", 2),
        ("DIM_INCOMPATIBLE", 3),
        ("TRANSPOSE_SAME", 4),
        ("CONTAINER_SIZE_MISMATCH", 5),
        ("INCOMPATIBLE", 6),
        ("SAME_TYPE_INCOMPATIBLE_PARAMS", 7),
        ("UNCHECKED", 8),
    ]


def test_all_exports_resolve():
    for name in neural_types.__all__:
        assert hasattr(neural_types, name), name


def test_standalone_without_torch():
    """The package imports on its own (relative imports only) and never loads torch."""
    parent = pathlib.Path(neural_types.__path__[0]).parent
    code = "import sys, neural_types; assert 'torch' not in sys.modules; print(len(neural_types.__all__))"
    done = subprocess.run([sys.executable, "-c", code], cwd=parent, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) == len(neural_types.__all__)


# --- axes ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "label, kind",
    [
        ("B", AxisKind.Batch),
        ("t", AxisKind.Time),
        ("D", AxisKind.Dimension),
        ("C", AxisKind.Channel),
        ("w", AxisKind.Width),
        ("H", AxisKind.Height),
        ("ANY", AxisKind.Any),
        ("any", AxisKind.Any),
        ("Batch", AxisKind.Batch),
        ("time", AxisKind.Time),
        ("DIMENSION", AxisKind.Dimension),
        ("channel", AxisKind.Channel),
    ],
)
def test_axis_kind_from_str(label, kind):
    assert AxisKind.from_str(label) is kind


def test_unknown_letter_names_letter_and_allowed_ones():
    with pytest.raises(ValueError) as info:
        AxisKind.from_str("Q")
    message = str(info.value)
    assert "'Q'" in message
    for letter in ("B", "T", "D", "C", "W", "H", "ANY"):
        assert letter in message


def test_unknown_letter_in_neural_type_raises():
    with pytest.raises(ValueError, match="'X'"):
        NeuralType(("B", "X"), SpectrogramType())


def test_axis_type_equality_and_repr():
    assert AxisType(AxisKind.Time, 16) == AxisType("T", 16)
    assert AxisType(AxisKind.Time, 16) != AxisType(AxisKind.Time)
    assert AxisType(AxisKind.Batch) != AxisType(AxisKind.Batch, is_list=True)
    assert repr(AxisType(AxisKind.Time, 16)) == "AxisType(AxisKind.Time, 16)"
    assert str(AxisType(AxisKind.Time, 16)) == "T:16"
    assert str(AxisType("B")) == "B"


@pytest.mark.parametrize("size", [0, -3, 2.5, True, "8"])
def test_axis_type_rejects_bad_size(size):
    with pytest.raises(ValueError, match="size"):
        AxisType(AxisKind.Time, size)


def test_axis_type_rejects_bad_kind():
    with pytest.raises(TypeError):
        AxisType(3)


@pytest.mark.parametrize(
    "tag, kind",
    [
        (BatchTag, AxisKind.Batch),
        (TimeTag, AxisKind.Time),
        (ProcessedTimeTag, AxisKind.Time),
        (ChannelTag, AxisKind.Channel),
        (SpectrogramSignalTag, AxisKind.Dimension),
        (EncodedRepresentationTag, AxisKind.Dimension),
        (neural_types.WidthTag, AxisKind.Width),
        (neural_types.HeightTag, AxisKind.Height),
        (AxisTag, AxisKind.Any),
    ],
)
def test_legacy_tags_map_to_kinds(tag, kind):
    assert AxisType(tag).kind is kind


# --- construction -------------------------------------------------------------


def test_axes_forms_are_equivalent():
    letters = NeuralType(("B", "T", "D"), SpectrogramType())
    kinds = NeuralType([AxisKind.Batch, AxisKind.Time, AxisKind.Dimension], SpectrogramType())
    mixed = NeuralType(("B", AxisType(AxisKind.Time), "D"), SpectrogramType())
    assert letters == kinds == mixed
    assert letters.axes == (AxisType(AxisKind.Batch), AxisType(AxisKind.Time), AxisType(AxisKind.Dimension))


def test_single_axis_from_tuple_of_string():
    ntype = NeuralType(tuple("B"), LengthsType())
    assert ntype.axes == (AxisType(AxisKind.Batch),)


def test_axes_as_plain_string_is_rejected():
    with pytest.raises(TypeError, match="tuple"):
        NeuralType("BT", LengthsType())


def test_defaults():
    ntype = NeuralType()
    assert ntype.axes is None
    assert isinstance(ntype.elements_type, VoidType)
    assert ntype.optional is False
    assert NeuralType(("B",), optional=True).optional is True


def test_elements_type_must_be_an_instance():
    with pytest.raises(TypeError, match="LossType"):
        NeuralType(None, LossType)


def test_legacy_dict_form():
    legacy = NeuralType({0: AxisType(BatchTag), 1: AxisType(TimeTag, 16)})
    assert legacy.axes == (AxisType(AxisKind.Batch), AxisType(AxisKind.Time, 16))
    assert isinstance(legacy.elements_type, VoidType)
    assert legacy == NeuralType(("B", AxisType(AxisKind.Time, 16)))


def test_legacy_dict_form_is_ordered_by_key():
    legacy = NeuralType({1: AxisType(SpectrogramSignalTag), 0: AxisType(BatchTag), 2: AxisType(ProcessedTimeTag)})
    assert [axis.kind for axis in legacy.axes] == [AxisKind.Batch, AxisKind.Dimension, AxisKind.Time]


def test_legacy_dict_with_gap_is_rejected():
    with pytest.raises(ValueError, match="0..1"):
        NeuralType({0: AxisType(BatchTag), 2: AxisType(TimeTag)})


def test_empty_dict_and_none_mean_any_shape():
    assert NeuralType({}).axes is None
    assert NeuralType(None).axes is None
    assert NeuralType(()).axes == ()


def test_equality_is_structural_and_types_are_unhashable():
    assert NeuralType(("B", "T"), AudioSignal(16000)) == NeuralType(("B", "T"), AudioSignal(16000))
    assert NeuralType(("B", "T"), AudioSignal(16000)) != NeuralType(("B", "T"), AudioSignal(8000))
    assert NeuralType(("B", "T"), AudioSignal()) != NeuralType(("B", "T"), AudioSignal(), optional=True)
    with pytest.raises(TypeError):
        hash(NeuralType())


def test_str_is_readable():
    assert str(NeuralType(("B", "D", "T"), SpectrogramType())) == "NeuralType(axes=(B, D, T), elements=SpectrogramType)"
    assert repr(NeuralType(("B", "T"), AudioSignal(freq=16000))) == (
        "NeuralType(axes=(B, T), elements=AudioSignal(freq=16000))"
    )
    assert str(NeuralType(elements_type=LossType(), optional=True)) == (
        "NeuralType(axes=None, elements=LossType, optional=True)"
    )


# --- element comparison -------------------------------------------------------


def test_element_compare_by_class():
    assert MelSpectrogramType().compare(SpectrogramType()) is R.LESS
    assert SpectrogramType().compare(MelSpectrogramType()) is R.GREATER
    assert MelSpectrogramType().compare(MFCCSpectrogramType()) is R.INCOMPATIBLE
    assert AcousticEncodedRepresentation().compare(EncodedRepresentation()) is R.LESS
    assert PredictionsType().compare(LabelsType()) is R.LESS
    assert SpectrogramType().compare(ChannelType()) is R.LESS
    assert LabelsType().compare(ElementType()) is R.LESS


def test_void_element_matches_everything_both_ways():
    assert VoidType().compare(LogprobsType()) is R.SAME
    assert LogprobsType().compare(VoidType()) is R.SAME
    assert AudioSignal(8000).compare(VoidType()) is R.SAME


def test_audio_signal_freq():
    assert AudioSignal(8000).compare(AudioSignal(16000)) is R.SAME_TYPE_INCOMPATIBLE_PARAMS
    assert AudioSignal(16000).compare(AudioSignal(16000)) is R.SAME
    assert AudioSignal().compare(AudioSignal(16000)) is R.SAME
    assert AudioSignal(16000).compare(AudioSignal()) is R.SAME
    assert AudioSignal(16000).type_parameters == {"freq": 16000}
    with pytest.raises(ValueError, match="freq"):
        AudioSignal(-1)


# --- neural type comparison ---------------------------------------------------


def btd(element):
    return NeuralType(("B", "D", "T"), element)


def test_same():
    assert btd(SpectrogramType()).compare(btd(SpectrogramType())) is R.SAME


def test_less_mel_into_spectrogram():
    assert btd(MelSpectrogramType()).compare(btd(SpectrogramType())) is R.LESS


def test_greater_spectrogram_into_mel():
    assert btd(SpectrogramType()).compare(btd(MelSpectrogramType())) is R.GREATER


def test_dim_incompatible_axis_count():
    audio = NeuralType(("B", "T"), AudioSignal(16000))
    assert audio.compare(btd(SpectrogramType())) is R.DIM_INCOMPATIBLE


def test_dim_incompatible_axis_size():
    first = NeuralType(("B", AxisType(AxisKind.Dimension, 64), "T"), SpectrogramType())
    second = NeuralType(("B", AxisType(AxisKind.Dimension, 80), "T"), SpectrogramType())
    assert first.compare(second) is R.DIM_INCOMPATIBLE


def test_sizes_compared_only_when_both_given():
    sized = NeuralType(("B", AxisType(AxisKind.Dimension, 64), "T"), SpectrogramType())
    assert sized.compare(btd(SpectrogramType())) is R.SAME
    assert btd(SpectrogramType()).compare(sized) is R.SAME


def test_container_size_mismatch_on_list_axes():
    first = NeuralType((AxisType(AxisKind.Batch, 2, is_list=True), "T"), LabelsType())
    second = NeuralType((AxisType(AxisKind.Batch, 3, is_list=True), "T"), LabelsType())
    assert first.compare(second) is R.CONTAINER_SIZE_MISMATCH
    plain = NeuralType(("B", "T"), LabelsType())
    assert first.compare(plain) is R.DIM_INCOMPATIBLE


def test_transpose_same():
    first = NeuralType(("B", "T", "D"), SpectrogramType())
    second = NeuralType(("B", "D", "T"), SpectrogramType())
    assert first.compare(second) is R.TRANSPOSE_SAME


def test_unrelated_axis_kinds_are_incompatible():
    first = NeuralType(("B", "T"), LabelsType())
    second = NeuralType(("B", "W"), LabelsType())
    assert first.compare(second) is R.INCOMPATIBLE


def test_axes_result_dominates_elements():
    first = NeuralType(("B", "T", "D"), MelSpectrogramType())
    second = NeuralType(("B", "D", "T"), SpectrogramType())
    assert first.compare(second) is R.TRANSPOSE_SAME


def test_incompatible_labels_vs_logprobs():
    labels = NeuralType(("B", "T"), LabelsType())
    logprobs = NeuralType(("B", "T"), LogprobsType())
    assert labels.compare(logprobs) is R.INCOMPATIBLE
    assert logprobs.compare(labels) is R.INCOMPATIBLE


def test_audio_freq_mismatch_in_neural_type():
    first = NeuralType(("B", "T"), AudioSignal(8000))
    second = NeuralType(("B", "T"), AudioSignal(16000))
    assert first.compare(second) is R.SAME_TYPE_INCOMPATIBLE_PARAMS
    assert NeuralType(("B", "T"), AudioSignal()).compare(second) is R.SAME


def test_any_axis_matches_any_kind():
    any_axis = NeuralType(("B", "ANY"), ChannelType())
    assert any_axis.compare(NeuralType(("B", "T"), ChannelType())) is R.SAME
    assert NeuralType(("B", "D"), ChannelType()).compare(any_axis) is R.SAME


def test_void_without_axes_accepts_anything():
    anything = NeuralType()
    others = (btd(MelSpectrogramType()), NeuralType(tuple("B"), LengthsType()), NeuralType(elements_type=LossType()))
    for other in others:
        assert other.compare(anything) is R.SAME
        assert anything.compare(other) is R.SAME


def test_axes_none_leaves_the_decision_to_elements():
    untyped_shape = NeuralType(None, SpectrogramType())
    assert btd(MelSpectrogramType()).compare(untyped_shape) is R.LESS
    assert NeuralType(None, LabelsType()).compare(btd(SpectrogramType())) is R.INCOMPATIBLE


def test_scalar_loss():
    loss = NeuralType(elements_type=LossType())
    assert loss.compare(NeuralType(elements_type=LossType())) is R.SAME
    assert NeuralType((), LossType()).compare(NeuralType((), LossType())) is R.SAME
    assert NeuralType((), LossType()).compare(NeuralType(tuple("B"), LossType())) is R.DIM_INCOMPATIBLE
    assert loss.compare(NeuralType(elements_type=LabelsType())) is R.INCOMPATIBLE


def test_compare_rejects_non_types():
    with pytest.raises(TypeError):
        NeuralType().compare("B")
    with pytest.raises(TypeError):
        LossType().compare(NeuralType())


# --- the port check -----------------------------------------------------------


def test_check_port_type_accepts_same_and_less():
    port = btd(SpectrogramType())
    assert check_port_type("JasperEncoder0", "audio_signal", port, btd(SpectrogramType())) is None
    assert check_port_type("JasperEncoder0", "audio_signal", port, btd(MelSpectrogramType())) is None


def test_check_port_type_message_dim_incompatible():
    port = btd(SpectrogramType())
    received = NeuralType(("B", "T"), AudioSignal(freq=16000))
    with pytest.raises(NeuralPortNmTensorMismatchError) as info:
        check_port_type("JasperEncoder0", "audio_signal", port, received)
    error = info.value
    assert str(error) == (
        "Module JasperEncoder0, input port 'audio_signal': expected NeuralType(axes=(B, D, T), "
        "elements=SpectrogramType), received NeuralType(axes=(B, T), elements=AudioSignal(freq=16000)); "
        "comparison result: DIM_INCOMPATIBLE"
    )
    assert (error.module_name, error.port_name) == ("JasperEncoder0", "audio_signal")
    assert error.expected is port and error.received is received
    assert error.result is R.DIM_INCOMPATIBLE
    assert isinstance(error, NeuralTypeError) and not isinstance(error, TypeError)


def test_check_port_type_transposed_hint():
    with pytest.raises(NeuralPortNmTensorMismatchError) as info:
        check_port_type("Decoder", "x", btd(SpectrogramType()), NeuralType(("B", "T", "D"), SpectrogramType()))
    message = str(info.value)
    assert "comparison result: TRANSPOSE_SAME" in message
    assert "transpose the tensor before this port" in message


def test_check_port_type_rejects_greater_and_params():
    with pytest.raises(NeuralPortNmTensorMismatchError) as info:
        check_port_type("M", "spec", btd(MelSpectrogramType()), btd(SpectrogramType()))
    assert info.value.result is R.GREATER
    with pytest.raises(NeuralPortNmTensorMismatchError, match="SAME_TYPE_INCOMPATIBLE_PARAMS"):
        port, received = NeuralType(("B", "T"), AudioSignal(16000)), NeuralType(("B", "T"), AudioSignal(8000))
        check_port_type("M", "audio", port, received)


def test_port_name_mismatch_error():
    error = NeuralPortNameMismatchError("JasperEncoder0", "audio", ["audio_signal", "length"])
    assert isinstance(error, NeuralTypeError)
    assert str(error) == "Module JasperEncoder0 has no input port 'audio'; its input ports are: audio_signal, length"
    assert error.known_ports == ("audio_signal", "length")


def test_channel_and_dimension_axes_are_both_feature_axes():
    channel = NeuralType(("B", "C", "T"), SpectrogramType())
    dimension = NeuralType(("B", "D", "T"), SpectrogramType())
    assert channel.compare(dimension) == NeuralTypeComparisonResult.SAME
    assert NeuralType(("B", "C"), ChannelType()).compare(NeuralType(("B", "T"), ChannelType())) == (
        NeuralTypeComparisonResult.INCOMPATIBLE
    )
