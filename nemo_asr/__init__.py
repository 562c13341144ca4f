"""Speech recognition and classification: data layers, features, Jasper/QuartzNet, CTC, classifier heads."""

from nemo.backends.pytorch.common.losses import CrossEntropyLossNM

from . import classification_helpers, helpers
from .audio_preprocessing import (
    AudioPreprocessing,
    AudioToMelSpectrogramPreprocessor,
    AudioToMFCCPreprocessor,
    AudioToSpectrogramPreprocessor,
    SpectrogramAugmentation,
)
from .classification_decoders import JasperDecoderForClassification, JasperDecoderForSpkrClass
from .beam_search_decoder import BeamSearchDecoderWithLM
from .classification_losses import AngularSoftmaxLossNM
from .contextnet import ContextNetDecoderForCTC, ContextNetEncoder
from .data_layer import AudioToTextDataLayer
from .greedy_ctc_decoder import GreedyCTCDecoder
from .in_memory_data_layer import AudioInMemoryDataLayer
from .jasper import JasperDecoderForCTC, JasperEncoder
from .kaldi_data_layer import KaldiFeatureDataLayer
from .losses import CTCLossNM
from .speech_label_data_layer import AudioToSpeechLabelDataLayer
from .spectrogram_crop import CropOrPadSpectrogramAugmentation
from .tarred_data_layer import TarredAudioToTextDataLayer
from .transcriber import Transcriber, Transcript

__all__ = [
    "AngularSoftmaxLossNM",
    "AudioToSpeechLabelDataLayer",
    "BeamSearchDecoderWithLM",
    "CropOrPadSpectrogramAugmentation",
    "CrossEntropyLossNM",
    "JasperDecoderForClassification",
    "JasperDecoderForSpkrClass",
    "classification_helpers",
    "AudioPreprocessing",
    "AudioInMemoryDataLayer",
    "AudioToMFCCPreprocessor",
    "AudioToMelSpectrogramPreprocessor",
    "AudioToSpectrogramPreprocessor",
    "AudioToTextDataLayer",
    "CTCLossNM",
    "ContextNetDecoderForCTC",
    "ContextNetEncoder",
    "GreedyCTCDecoder",
    "JasperDecoderForCTC",
    "JasperEncoder",
    "KaldiFeatureDataLayer",
    "SpectrogramAugmentation",
    "TarredAudioToTextDataLayer",
    "Transcriber",
    "Transcript",
    "helpers",
]
