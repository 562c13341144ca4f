"""Tacotron 2 as neural modules, with the legacy NeMo names, ports and defaults."""
import math

from torch import nn

from nemo.backends.pytorch import NonTrainableNM, TrainableNM
from nemo.core.neural_types import (
    ChannelType,
    EmbeddedTextType,
    EncodedRepresentation,
    LabelsType,
    LengthsType,
    LogitsType,
    MelSpectrogramType,
    NeuralType,
)

from .parts.layers import lengths_to_mask
from .parts.tacotron2 import Decoder, Encoder, Postnet

__all__ = ["TextEmbedding", "Tacotron2Encoder", "Tacotron2Decoder", "Tacotron2DecoderInfer", "Tacotron2Postnet",
           "MakeGate"]

MEL = NeuralType(("B", "D", "T"), MelSpectrogramType())
LENGTHS = NeuralType(tuple("B"), LengthsType())
ENCODED = NeuralType(("B", "T", "D"), EncodedRepresentation())


class TextEmbedding(TrainableNM):
    """Symbol embeddings.

    Input port: ``char_phone`` (B, T) symbol ids.
    Output port: ``char_phone_embeddings`` (B, D, T).
    """

    def __init__(self, n_symbols, symbols_embedding_dim=512, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.embedding = nn.Embedding(n_symbols, symbols_embedding_dim)
        bound = math.sqrt(3.0) * math.sqrt(2.0 / (n_symbols + symbols_embedding_dim))
        nn.init.uniform_(self.embedding.weight, -bound, bound)

    @property
    def input_ports(self):
        return {"char_phone": NeuralType(("B", "T"), LabelsType())}

    @property
    def output_ports(self):
        return {"char_phone_embeddings": NeuralType(("B", "D", "T"), EmbeddedTextType())}

    def forward(self, char_phone):
        return self.embedding(char_phone).transpose(1, 2)


class Tacotron2Encoder(TrainableNM):
    """Convolutions and a bidirectional LSTM over the embedded symbols; padded positions are 0.

    Input ports: ``char_phone_embeddings`` (B, D, T), ``embedding_length`` (B,).
    Output port: ``char_phone_encoded`` (B, T, D).
    """

    def __init__(self, encoder_n_convolutions=3, encoder_embedding_dim=512, encoder_kernel_size=5, p_dropout=0.5,
                 name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.encoder = Encoder(encoder_n_convolutions, encoder_embedding_dim, encoder_kernel_size, p_dropout)

    @property
    def input_ports(self):
        return {"char_phone_embeddings": NeuralType(("B", "D", "T"), EmbeddedTextType()),
                "embedding_length": LENGTHS}

    @property
    def output_ports(self):
        return {"char_phone_encoded": ENCODED}

    def forward(self, char_phone_embeddings, embedding_length):
        return self.encoder(char_phone_embeddings, embedding_length)


class _DecoderNM(TrainableNM):
    """Holds the decoder network; the training and inference modules share its weights by class."""

    def __init__(self, n_mel_channels, n_frames_per_step=1, encoder_embedding_dim=512, gate_threshold=0.5,
                 prenet_dim=256, max_decoder_steps=1000, decoder_rnn_dim=1024, p_decoder_dropout=0.1,
                 p_attention_dropout=0.1, attention_rnn_dim=1024, attention_dim=128, attention_location_n_filters=32,
                 attention_location_kernel_size=31, prenet_p_dropout=0.5, early_stopping=True, attention_end_window=0,
                 name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        if n_frames_per_step < 1:
            raise ValueError(f"{type(self).__name__}: n_frames_per_step must be >= 1, got {n_frames_per_step}")
        if not early_stopping:
            gate_threshold = float("inf")
        self.decoder = Decoder(n_mel_channels, n_frames_per_step, encoder_embedding_dim, attention_dim,
                               attention_location_n_filters, attention_location_kernel_size, attention_rnn_dim,
                               decoder_rnn_dim, prenet_dim, prenet_p_dropout, p_attention_dropout, p_decoder_dropout,
                               gate_threshold, max_decoder_steps, attention_end_window)

    @property
    def output_ports(self):
        return {
            "mel_output": MEL,
            "gate_output": NeuralType(("B", "T"), LogitsType()),
            "alignments": NeuralType(("B", "T", "T"), ChannelType()),
        }


class Tacotron2Decoder(_DecoderNM):
    """Attention decoder, teacher-forced in training (and in evaluation when ``force``).

    In evaluation without ``force`` it runs free (as :class:`Tacotron2DecoderInfer`), so
    evaluation losses measure what inference produces. ``attention_end_window`` k > 0 lets free
    running stop only while the attention peak is on the last k symbols. Outputs cover
    ``ceil(T / n_frames_per_step) * n_frames_per_step`` frames in teacher forcing.

    Input ports: ``char_phone_encoded`` (B, T_in, D), ``encoded_length`` (B,), ``mel_target`` (B, n_mel, T).
    Output ports: ``mel_output`` (B, n_mel, T'), ``gate_output`` (B, T') logits, ``alignments``
    (B, decoder steps, T_in).
    """

    def __init__(self, n_mel_channels, n_frames_per_step=1, force=False, **kwargs):
        super().__init__(n_mel_channels, n_frames_per_step=n_frames_per_step, **kwargs)
        self.force = force

    @property
    def input_ports(self):
        return {"char_phone_encoded": ENCODED, "encoded_length": LENGTHS, "mel_target": MEL}

    def forward(self, char_phone_encoded, encoded_length, mel_target):
        if self.training or self.force:
            return self.decoder(char_phone_encoded, encoded_length, mel_target)
        return self.decoder.infer(char_phone_encoded, encoded_length)[:3]


class Tacotron2DecoderInfer(_DecoderNM):
    """Free-running decoder: stops each utterance at the first frame whose gate passes
    ``gate_threshold`` (or after ``max_decoder_steps`` steps). Load a trained decoder's
    weights with ``restore_from`` of a ``Tacotron2Decoder`` checkpoint.

    Input ports: ``char_phone_encoded`` (B, T_in, D), ``encoded_length`` (B,).
    Output ports: ``mel_output`` (B, n_mel, T), ``gate_output`` (B, T), ``alignments``
    (B, steps, T_in), ``mel_len`` (B,).
    """

    @property
    def input_ports(self):
        return {"char_phone_encoded": ENCODED, "encoded_length": LENGTHS}

    @property
    def output_ports(self):
        return dict(super().output_ports, mel_len=LENGTHS)

    def forward(self, char_phone_encoded, encoded_length):
        return self.decoder.infer(char_phone_encoded, encoded_length)


class Tacotron2Postnet(TrainableNM):
    """Convolutional residual refinement of the decoder's mels.

    Input port: ``mel_input`` (B, n_mel, T). Output port: ``mel_output`` (B, n_mel, T).
    """

    def __init__(self, n_mel_channels, postnet_embedding_dim=512, postnet_kernel_size=5, postnet_n_convolutions=5,
                 p_dropout=0.5, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.postnet = Postnet(n_mel_channels, postnet_embedding_dim, postnet_kernel_size, postnet_n_convolutions,
                               p_dropout)

    @property
    def input_ports(self):
        return {"mel_input": MEL}

    @property
    def output_ports(self):
        return {"mel_output": MEL}

    def forward(self, mel_input):
        return self.postnet(mel_input)


class MakeGate(NonTrainableNM):
    """Stop-token targets: 0 before each utterance's last frame, 1 from it on (padding included).

    Input ports: ``target_len`` (B,), ``mel_target`` (B, n_mel, T).
    Output port: ``gate_target`` (B, T).
    """

    @property
    def input_ports(self):
        return {"target_len": LENGTHS, "mel_target": MEL}

    @property
    def output_ports(self):
        return {"gate_target": NeuralType(("B", "T"), LogitsType())}

    def forward(self, target_len, mel_target):
        valid_before_last = lengths_to_mask(target_len.to(mel_target.device) - 1, mel_target.shape[2])
        return (~valid_before_last).to(mel_target.dtype)

