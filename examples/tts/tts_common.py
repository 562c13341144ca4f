"""What the TTS scripts share: model configs, the Tacotron 2 modules and DAGs, data layers."""

import os

from ruamel.yaml import YAML

import nemo_asr
import nemo_tts
from nemo_tts.parts.alignment import diagonal_share
from nemo_tts.parts.layers import decoder_steps

HERE = os.path.dirname(os.path.abspath(__file__))
TTS_SLT = os.path.normpath(os.path.join(HERE, "..", "..", "tests", "data", "tts_slt"))
TACOTRON2_SECTIONS = ("labels", "AudioToMelSpectrogramPreprocessor", "TextEmbedding", "Tacotron2Encoder",
                      "Tacotron2Decoder", "Tacotron2Postnet")


def load_config(path, required=TACOTRON2_SECTIONS):
    """A model YAML as a dict; names the file and the missing sections on error."""
    if not os.path.isfile(path):
        raise FileNotFoundError(f"model config not found: {path}")
    with open(path) as handle:
        config = YAML(typ="safe").load(handle) or {}
    missing = [key for key in required if key not in config]
    if missing:
        raise ValueError(f"{path}: missing section(s) {missing}; this model needs {list(required)}")
    return config


def data_layer_params(config, split):
    """``AudioToTextDataLayer`` arguments for ``split`` ('train' or 'eval'): shared keys, then the split's."""
    section = dict(config.get("AudioToTextDataLayer") or {})
    params = {k: v for k, v in section.items() if k not in ("train", "eval")}
    params.update(section.get(split) or {})
    params.setdefault("sample_rate", config.get("sample_rate", 22050))
    params.setdefault("normalize_transcripts", False)
    return params


def symbol_ids(labels):
    """``bos_id, eos_id, pad_id`` after the labels, as legacy Tacotron 2 numbered them."""
    return {"bos_id": len(labels), "eos_id": len(labels) + 1, "pad_id": len(labels) + 2}


def text_data_layer(config, manifest, batch_size, split, **kwargs):
    """The ASR data layer reading speech and text for TTS (case and punctuation kept)."""
    params = dict(data_layer_params(config, split), **kwargs)
    return nemo_asr.AudioToTextDataLayer(manifest_filepath=manifest, labels=config["labels"], batch_size=batch_size,
                                         **symbol_ids(config["labels"]), **params)


class Tacotron2Model:
    """The Tacotron 2 modules of a legacy config; call the DAG builders on it."""

    def __init__(self, config):
        self.config = config
        labels = config["labels"]
        prep = dict(config["AudioToMelSpectrogramPreprocessor"])
        prep.setdefault("sample_rate", config.get("sample_rate", 22050))
        self.preprocessor = nemo_asr.AudioToMelSpectrogramPreprocessor(**prep)
        self.text_embedding = nemo_tts.TextEmbedding(len(labels) + 3, **config["TextEmbedding"])
        self.encoder = nemo_tts.Tacotron2Encoder(**config["Tacotron2Encoder"])
        self.decoder = nemo_tts.Tacotron2Decoder(**config["Tacotron2Decoder"])
        self.postnet = nemo_tts.Tacotron2Postnet(**config["Tacotron2Postnet"])
        self.make_gate = nemo_tts.MakeGate()
        self.loss = nemo_tts.Tacotron2Loss(**(config.get("Tacotron2Loss") or {}))
        guided = config.get("GuidedAttentionLoss")
        self.guided_attention = nemo_tts.GuidedAttentionLoss(**guided) if guided else None

    @property
    def trainables(self):
        return [self.text_embedding, self.encoder, self.decoder, self.postnet]

    @property
    def num_weights(self):
        return sum(module.num_weights for module in self.trainables)

    def encode(self, transcript, transcript_len):
        embedded = self.text_embedding(char_phone=transcript)
        return self.encoder(char_phone_embeddings=embedded, embedding_length=transcript_len)

    def dag(self, data_layer):
        """Teacher-forced (in training) DAG; returns a dict of tensors, ``losses`` to optimise first."""
        audio, audio_len, transcript, transcript_len = data_layer()
        mel_target, target_len = self.preprocessor(input_signal=audio, length=audio_len)
        encoded = self.encode(transcript, transcript_len)
        mel_decoder, gate, alignments = self.decoder(char_phone_encoded=encoded, encoded_length=transcript_len,
                                                     mel_target=mel_target)
        mel_postnet = self.postnet(mel_input=mel_decoder)
        gate_target = self.make_gate(target_len=target_len, mel_target=mel_target)
        loss = self.loss(mel_out=mel_decoder, mel_out_postnet=mel_postnet, gate_out=gate, mel_target=mel_target,
                         gate_target=gate_target, target_len=target_len, seq_len=audio_len)
        losses = [loss]
        if self.guided_attention is not None:
            losses.append(self.guided_attention(alignments=alignments, encoded_length=transcript_len,
                                                target_len=target_len))
        return {"losses": losses, "mel_decoder": mel_decoder, "mel_postnet": mel_postnet, "gate": gate,
                "gate_target": gate_target, "alignments": alignments, "mel_target": mel_target,
                "target_len": target_len, "transcript": transcript, "transcript_len": transcript_len, "audio": audio,
                "audio_len": audio_len}

    def inference_decoder(self):
        """A :class:`nemo_tts.Tacotron2DecoderInfer` holding the current decoder weights."""
        infer = nemo_tts.Tacotron2DecoderInfer(**{k: v for k, v in self.config["Tacotron2Decoder"].items()
                                                  if k != "force"})
        infer.load_state_dict(self.decoder.state_dict())
        return infer

    def infer_dag(self, transcript, transcript_len, decoder_infer):
        """Free-running DAG from symbol tensors; returns ``mel_postnet, gate, alignments, mel_len``."""
        encoded = self.encode(transcript, transcript_len)
        mel, gate, alignments, mel_len = decoder_infer(char_phone_encoded=encoded, encoded_length=transcript_len)
        return self.postnet(mel_input=mel), gate, alignments, mel_len


def alignment_report(nf, model, config, manifest, batch_size=16):
    """Teacher-forced alignment and free-running stopping on ``manifest`` with the model's weights.

    Returns ``{"diagonal_share": float, "stop_ratios": [predicted / reference frames],
    "alignment": first teacher-forced alignment [steps, symbols] cut to its lengths}``.
    """
    r = config["Tacotron2Decoder"].get("n_frames_per_step", 1)
    layer = text_data_layer(config, manifest, batch_size, "eval", shuffle=False)
    forced = model.dag(layer)
    _, _, _, mel_len = model.infer_dag(forced["transcript"], forced["transcript_len"], model.inference_decoder())
    model.decoder.force = True
    try:
        values = nf.infer([forced["alignments"], forced["transcript_len"], forced["target_len"], mel_len,
                           forced["target_len"]], verbose=False)
    finally:
        model.decoder.force = config["Tacotron2Decoder"].get("force", False)
    weighted, total, ratios = 0.0, 0.0, []
    for alignments, symbols, frames, predicted, reference in zip(*values):
        steps = decoder_steps(frames, r)
        for b in range(alignments.shape[0]):
            one = alignments[b: b + 1, : int(steps[b]), : int(symbols[b])]
            weighted += float(diagonal_share(one, symbols[b: b + 1], frames[b: b + 1], r)) * one.sum().item()
            total += one.sum().item()
        ratios += (predicted.float() / reference.float()).tolist()
    first = values[0][0][0, : int(decoder_steps(values[2][0][:1], r)), : int(values[1][0][0])]
    return {"diagonal_share": weighted / max(total, 1e-12), "stop_ratios": ratios, "alignment": first}
