"""TensorBoard pictures and audio of the TTS helpers, and PNG plots."""

import glob

import torch
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboardX import SummaryWriter

from nemo_tts.helpers import MelSettings, tacotron2_eval_log_to_tb_func, tacotron2_process_eval_batch, \
    tacotron2_process_final_eval
from nemo_tts.parts.plots import alignment_figure, save_figure


def test_eval_callbacks_write_loss_pictures_and_audio(tmp_path):
    torch.manual_seed(0)
    names = {"mel_target": "t", "mel_postnet": "p", "gate": "g", "alignments": "a", "gate_target": "gt",
             "target_len": "n"}
    batch = {"loss~~~Tacotron2Loss0": [torch.tensor(2.0)], "t": [torch.randn(2, 80, 20) - 5],
             "p": [torch.randn(2, 80, 20) - 5], "g": [torch.randn(2, 20)], "a": [torch.rand(2, 4, 7)],
             "gt": [torch.zeros(2, 20)], "n": [torch.tensor([20, 15])]}
    global_vars = {}
    for loss in (2.0, 4.0):
        batch["loss~~~Tacotron2Loss0"] = [torch.tensor(loss)]
        tacotron2_process_eval_batch(batch, global_vars, ["loss~~~Tacotron2Loss0"], names)
    results = tacotron2_process_final_eval(global_vars, tag="val")
    assert results["val/eval_loss"] == 3.0
    writer = SummaryWriter(str(tmp_path))
    tacotron2_eval_log_to_tb_func(writer, results, 7, tag="val", mel_settings=MelSettings(n_window_size=1024))
    writer.close()
    events = EventAccumulator(glob.glob(str(tmp_path / "events*"))[0], size_guidance={"images": 0, "audio": 0})
    events.Reload()
    tags = events.Tags()
    assert set(tags["images"]) == {"val/alignment", "val/mel_target", "val/mel_predicted", "val/gate"}
    assert tags["audio"] == ["val/griffin_lim"] and "val/eval_loss" in tags["scalars"]
    assert events.Audio("val/griffin_lim")[0].length_frames == 20 * 256


def test_plots_are_written_as_png(tmp_path):
    path = tmp_path / "alignment.png"
    save_figure(alignment_figure(torch.rand(5, 3).numpy()), str(path))
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
