"""Logging helpers for TTS training: TensorBoard images of alignments, mels and gates, audio
samples through Griffin-Lim, and evaluation callbacks in the legacy style."""
import numpy as np
import torch

from .parts.griffin_lim import mel_to_audio
from .parts.plots import alignment_figure, figure_to_image, gate_figure, spectrogram_figure

__all__ = ["MelSettings", "log_tacotron2_images", "tacotron2_log_to_tb_func",
           "tacotron2_process_eval_batch", "tacotron2_process_final_eval", "tacotron2_eval_log_to_tb_func"]


class MelSettings:
    """What Griffin-Lim needs to know about the mel front end (from the preprocessor config)."""

    def __init__(self, sample_rate=22050, n_fft=1024, n_window_stride=256, n_window_size=None, lowfreq=0.0,
                 highfreq=None, mag_power=1.0, **_unused):
        self.sample_rate = sample_rate
        self.n_fft = n_fft
        self.hop_length = n_window_stride
        self.win_length = n_window_size or n_fft
        self.fmin = lowfreq
        self.fmax = highfreq
        self.mag_power = mag_power

    def griffin_lim(self, log_mel, n_iters=32):
        """Waveform of one log-mel ``[n_mel, T]`` (tensor or array)."""
        if isinstance(log_mel, torch.Tensor):
            log_mel = log_mel.detach().float().cpu().numpy()
        return mel_to_audio(log_mel, self.sample_rate, self.n_fft, self.hop_length, self.win_length, self.fmin,
                            self.fmax, self.mag_power, n_iters=n_iters)


def _first(value, length=None):
    """First item of a batch tensor as float numpy, cut to ``length`` along its last axis."""
    item = value[0].detach().float().cpu().numpy()
    return item[..., :length] if length is not None else item


def log_tacotron2_images(writer, tag, step, mel_target, mel_postnet, gate, alignments, gate_target=None,
                         target_len=None):
    """Alignment, target and predicted mels and the gate of the batch's first utterance as images."""
    frames = int(target_len[0]) if target_len is not None else None
    images = {
        "alignment": alignment_figure(_first(alignments), f"{tag} alignment, step {step}"),
        "mel_target": spectrogram_figure(_first(mel_target, frames), f"{tag} target mel"),
        "mel_predicted": spectrogram_figure(_first(mel_postnet, frames), f"{tag} predicted mel (postnet)"),
        "gate": gate_figure(torch.sigmoid(gate[0].detach().float().cpu()).numpy()[:frames],
                            None if gate_target is None else _first(gate_target, frames), f"{tag} gate"),
    }
    for name, figure in images.items():
        writer.add_image(f"{tag}/{name}", figure_to_image(figure), step, dataformats="HWC")


def tacotron2_log_to_tb_func(swriter, tensors, step, tag="train", log_images=False, log_images_freq=1):
    """``log_to_tb_func`` of a SimpleLossLoggerCallback over ``[loss, mel_target, mel_postnet, gate,
    alignments, gate_target, target_len]`` (the last two optional): the loss, and the pictures
    every ``log_images_freq`` steps when ``log_images``."""
    swriter.add_scalar(f"{tag}/loss", float(torch.as_tensor(tensors[0]).detach()), step)
    if log_images and step % log_images_freq == 0:
        log_tacotron2_images(swriter, tag, step, *tensors[1:7])


def tacotron2_process_eval_batch(tensors, global_vars, loss_names, picture_names):
    """``user_iter_callback`` (bind the names with ``functools.partial``): gather the values of the
    tensors named in ``loss_names``, and keep the first batch's tensors named in ``picture_names``
    (``{key: unique_name}``, keys as in :func:`log_tacotron2_images`) for the pictures."""
    for name in loss_names:
        global_vars.setdefault("losses", []).extend(float(v) for v in tensors[name])
    if "pictures" not in global_vars:
        global_vars["pictures"] = {key: tensors[name][0] for key, name in picture_names.items()}


def tacotron2_process_final_eval(global_vars, tag=None, logger=None):
    """``user_epochs_done_callback``: ``{"<tag>/eval_loss": mean loss, "pictures": first batch's tensors}``."""
    mean = float(np.mean(global_vars.get("losses") or [float("nan")]))
    name = f"{tag}/eval_loss" if tag else "eval_loss"
    if logger is not None:
        logger.info(f"{name}: {mean:.4f}")
    return {name: mean, "pictures": global_vars.get("pictures")}


def tacotron2_eval_log_to_tb_func(swriter, results, step, tag="eval", mel_settings=None):
    """``tb_writer_func`` of an EvaluatorCallback: the numbers of ``results``, pictures of the first
    evaluation batch and, with ``mel_settings``, its first utterance vocoded by Griffin-Lim."""
    for name, value in results.items():
        if isinstance(value, float):
            swriter.add_scalar(name, value, step)
    pictures = dict(results["pictures"])
    log_tacotron2_images(swriter, tag, step, **pictures)
    if mel_settings is not None:
        mel = pictures["mel_postnet"]
        frames = mel.shape[2] if pictures.get("target_len") is None else int(pictures["target_len"][0])
        audio = mel_settings.griffin_lim(mel[0, :, :frames])
        swriter.add_audio(f"{tag}/griffin_lim", audio / max(1e-6, float(np.abs(audio).max())), step,
                          sample_rate=mel_settings.sample_rate)
