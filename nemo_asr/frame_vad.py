"""FrameVAD: speech segments of long recordings from a trained window classifier."""

import torch

from .parts.vad import hysteresis_segments, sliding_windows, smooth

__all__ = ["FrameVAD"]


class FrameVAD:
    """Slide a ``window``-second classifier over a recording every ``shift`` seconds.

    ``preprocessor``, ``encoder`` and ``decoder`` are the trained modules (an
    ``AudioTo*Preprocessor``, a ``JasperEncoder``, a ``JasperDecoderForClassification``), ``crop``
    the optional ``CropOrPadSpectrogramAugmentation`` of the training DAG; ``speech_index`` is
    the class index of speech. Windows are classified in batches of ``batch_size`` on the
    modules' device, in eval mode, without gradients.
    """

    def __init__(self, preprocessor, encoder, decoder, crop=None, sample_rate=16000, window=0.63, shift=0.01,
                 speech_index=1, batch_size=256):
        self.modules = [m for m in (preprocessor, crop, encoder, decoder) if m is not None]
        self.preprocessor, self.crop, self.encoder, self.decoder = preprocessor, crop, encoder, decoder
        self.sample_rate, self.window, self.shift = sample_rate, window, shift
        self.speech_index, self.batch_size = speech_index, batch_size

    @torch.no_grad()
    def speech_probs(self, audio):
        """Per-frame speech probability ``[ceil(duration / shift)]`` of ``audio [T]`` (float waveform)."""
        modes = [m.training for m in self.modules]
        for module in self.modules:
            module.eval()
        try:
            device = self.encoder._device
            windows = sliding_windows(torch.as_tensor(audio, dtype=torch.float32), self.sample_rate, self.window,
                                      self.shift)
            probs = []
            for batch in windows.split(self.batch_size):
                batch = batch.to(device)
                lengths = torch.full((batch.shape[0],), batch.shape[1], dtype=torch.int64, device=device)
                spec, spec_len = self.preprocessor(batch, lengths)
                if self.crop is not None:
                    spec, spec_len = self.crop(spec, spec_len)
                encoded, encoded_len = self.encoder(spec, spec_len)
                logits = self.decoder(encoded, encoded_len)
                probs.append(logits.float().softmax(dim=-1)[:, self.speech_index])
            return torch.cat(probs).cpu()
        finally:
            for module, mode in zip(self.modules, modes):
                module.train(mode)

    def segments(self, audio, onset=0.5, offset=0.3, smoothing_frames=1, smoothing="mean", min_speech=0.0,
                 min_silence=0.0):
        """Speech segments ``[(start, end)]`` in seconds: frame probabilities, smoothed, with hysteresis."""
        probs = smooth(self.speech_probs(audio), smoothing_frames, smoothing)
        return hysteresis_segments(probs, self.shift, onset=onset, offset=offset, min_speech=min_speech,
                                   min_silence=min_silence)
