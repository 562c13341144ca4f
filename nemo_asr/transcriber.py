"""Transcribe files or arrays with a trained CTC model; long audio in overlapping windows, with word times."""
import glob
import os
import re
from dataclasses import dataclass, field

import numpy as np
import torch

from .parts.audio import load_audio
from .parts.long_audio import (
    Word, beam_words, greedy_words, merge_windows, plan_windows, speech_segments,
)

__all__ = ["Transcriber", "Transcript", "Word", "newest_checkpoint"]


@dataclass
class Transcript:
    """A transcription: ``text`` and its ``words`` with start/end seconds."""

    text: str
    words: list = field(default_factory=list)


def newest_checkpoint(folder, stem):
    """Path of the highest-step ``<stem>-STEP-<n>.pt`` in ``folder``."""
    found = []
    for path in glob.glob(os.path.join(folder, f"{stem}-STEP-*.pt")):
        match = re.search(r"-STEP-(\d+)\.pt$", path)
        if match:
            found.append((int(match.group(1)), path))
    if not found:
        raise FileNotFoundError(f"no {stem}-STEP-*.pt checkpoint in {folder}")
    return max(found)[1]


class Transcriber:
    """Runs ``preprocessor -> encoder -> decoder`` eagerly (eval mode, no gradients).

    Audio longer than ``window_s`` seconds is cut into windows overlapping by ``overlap_s``;
    their frames are merged (see :mod:`nemo_asr.parts.long_audio`) and decoded once, greedily or
    with ``beam_search`` (a :class:`~nemo_asr.BeamSearchDecoderWithLM`), each stretch between pauses
    of at least ``pause_s`` seconds on its own (a pause ends a word).
    """

    def __init__(self, preprocessor, encoder, decoder, labels, beam_search=None, window_s=20.0, overlap_s=4.0,
                 pause_s=0.3):
        self.preprocessor, self.encoder, self.decoder = preprocessor, encoder, decoder
        self.labels = list(labels)
        self.beam_search = beam_search
        self.sample_rate = preprocessor.init_params.get("sample_rate", 16000)
        self.window_s, self.overlap_s, self.pause_s = window_s, overlap_s, pause_s
        hop = preprocessor.init_params.get("window_stride", 0.01)
        stride = 1
        for block in encoder.init_params.get("jasper", []):
            value = block.get("stride", 1)
            value = int(value[0] if isinstance(value, (list, tuple)) else value)
            # every repeated conv of a block is strided, unless stride_last
            stride *= value if block.get("stride_last") else value ** int(block.get("repeat", 1))
        self.seconds_per_frame = hop * stride

    @torch.no_grad()
    def log_probs(self, batch, lengths):
        """Per-frame log-probs [B, T', C] and output lengths of padded waveforms."""
        for module in (self.preprocessor, self.encoder, self.decoder):
            module.eval()
        device = next(self.encoder.parameters()).device
        spec, spec_len = self.preprocessor(input_signal=batch.to(device), length=lengths.to(device))
        encoded, encoded_len = self.encoder(audio_signal=spec, length=spec_len)
        return self.decoder(encoder_output=encoded), encoded_len

    def _samples(self, item):
        if isinstance(item, (str, os.PathLike)):
            return load_audio(os.fspath(item), self.sample_rate)
        array = np.asarray(item, dtype=np.float32)
        if array.ndim != 1 or not array.size:
            raise ValueError(f"transcribe() takes file paths or non-empty 1-D arrays, got shape {array.shape}")
        return array

    def _frames(self, samples):
        window = int(round(self.window_s * self.sample_rate))
        windows = plan_windows(len(samples), window, int(round(self.overlap_s * self.sample_rate)))
        outputs = []
        for start, end in windows:
            chunk = torch.from_numpy(np.ascontiguousarray(samples[start:end]))[None]
            log_probs, length = self.log_probs(chunk, torch.tensor([end - start]))
            outputs.append(log_probs[0, : int(length[0])].float().cpu().numpy())
        if len(windows) == 1:
            return outputs[0]
        samples_per_frame = self.seconds_per_frame * self.sample_rate
        # the last window ends where the recording ends: its frame count fixes the total
        total = int(round(windows[-1][0] / samples_per_frame)) + len(outputs[-1])
        return merge_windows(windows, outputs, samples_per_frame, total)

    def _decode(self, frames):
        if self.beam_search is None:
            return greedy_words(frames, self.labels, self.seconds_per_frame)
        _, _, word_frames = self.beam_search.search.decode_with_frames(frames)[0]
        return beam_words(word_frames, self.seconds_per_frame)

    def transcribe(self, audio):
        """:class:`Transcript` for each file path or waveform array of ``audio``."""
        results = []
        for item in audio:
            frames = self._frames(self._samples(item))
            words = []
            min_pause = max(1, int(round(self.pause_s / self.seconds_per_frame)))
            for start, end in speech_segments(frames, min_pause):
                # keep a few blank frames around the speech so the decoder sees its edges
                low, high = max(0, start - 2), min(len(frames), end + 2)
                words += [Word(w.word, w.start + low * self.seconds_per_frame, w.end + low * self.seconds_per_frame)
                          for w in self._decode(frames[low:high])]
            results.append(Transcript(" ".join(w.word for w in words), words))
        return results
