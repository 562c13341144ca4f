"""Speech recognition collection: data layers, features, Jasper/QuartzNet, CTC."""

from . import helpers
from .audio_preprocessing import (
    AudioPreprocessing,
    AudioToMelSpectrogramPreprocessor,
    AudioToMFCCPreprocessor,
    AudioToSpectrogramPreprocessor,
    SpectrogramAugmentation,
)
from .data_layer import AudioToTextDataLayer
from .greedy_ctc_decoder import GreedyCTCDecoder
from .jasper import JasperDecoderForCTC, JasperEncoder
from .losses import CTCLossNM

__all__ = [
    "AudioPreprocessing",
    "AudioToMFCCPreprocessor",
    "AudioToMelSpectrogramPreprocessor",
    "AudioToSpectrogramPreprocessor",
    "AudioToTextDataLayer",
    "CTCLossNM",
    "GreedyCTCDecoder",
    "JasperDecoderForCTC",
    "JasperEncoder",
    "SpectrogramAugmentation",
    "helpers",
]
