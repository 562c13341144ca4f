"""Speech synthesis collection: Tacotron 2, WaveGlow, FastSpeech, Griffin-Lim, TTS plots.

The data layer and mel front end are the ASR ones (``nemo_asr.AudioToTextDataLayer`` with
``normalize_transcripts=False``, ``nemo_asr.AudioToMelSpectrogramPreprocessor``).
"""

from .audio_segment import RandomAudioSegment
from .data_layers import TextDataLayer
from .fastspeech_modules import FastSpeech, FastSpeechDataLayer, FastSpeechLoss
from .tacotron2_losses import GuidedAttentionLoss, Tacotron2Loss
from .tacotron2_modules import (
    MakeGate,
    Tacotron2Decoder,
    Tacotron2DecoderInfer,
    Tacotron2Encoder,
    Tacotron2Postnet,
    TextEmbedding,
)
from .waveglow_modules import WaveGlowInferNM, WaveGlowLoss, WaveGlowNM

__all__ = [
    "FastSpeech",
    "FastSpeechDataLayer",
    "FastSpeechLoss",
    "GuidedAttentionLoss",
    "MakeGate",
    "RandomAudioSegment",
    "Tacotron2Decoder",
    "Tacotron2DecoderInfer",
    "Tacotron2Encoder",
    "Tacotron2Loss",
    "Tacotron2Postnet",
    "TextDataLayer",
    "TextEmbedding",
    "WaveGlowInferNM",
    "WaveGlowLoss",
    "WaveGlowNM",
]
