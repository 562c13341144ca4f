"""Synthesize speech with a trained Tacotron 2 and Griffin-Lim or WaveGlow (legacy flags).

    python examples/tts/tts_infer.py --spec_model tacotron2 \\
        --spec_model_config examples/tts/configs/tacotron2_tiny.yaml \\
        --spec_model_load_dir tacotron2_exp/Tacotron2/checkpoints \\
        --vocoder griffin-lim --eval_dataset tests/data/tts_slt/val_manifest.json --save_dir tts_out --save_plots

``--eval_dataset`` is a JSON-lines manifest (its ``text`` fields) or a text file with one sentence
per line. One ``<index>.wav`` per sentence goes to ``--save_dir`` (and, with ``--save_plots``,
``<index>_alignment.png``, ``<index>_mel.png``, ``<index>_gate.png``).
"""

import argparse
import os

import numpy as np
import soundfile as sf
import torch

import nemo
import nemo_tts
from nemo.backends.pytorch import checkpoint
from nemo.utils.atomic import atomic_path
from nemo_tts.helpers import MelSettings
from nemo_tts.parts.plots import alignment_figure, gate_figure, save_figure, spectrogram_figure
from tts_common import HERE, Tacotron2Model, load_config, symbol_ids


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Text to speech with Tacotron 2 and a vocoder")
    parser.add_argument("--spec_model", choices=["tacotron2"], default="tacotron2")
    parser.add_argument("--spec_model_config", default=os.path.join(HERE, "configs", "tacotron2_tiny.yaml"))
    parser.add_argument("--spec_model_load_dir", required=True, help="folder of the Tacotron 2 checkpoints")
    parser.add_argument("--vocoder", choices=["griffin-lim", "waveglow"], default="griffin-lim")
    parser.add_argument("--vocoder_model_config", default=os.path.join(HERE, "configs", "waveglow_tiny.yaml"))
    parser.add_argument("--vocoder_model_load_dir", default=None, help="folder of the WaveGlow checkpoints")
    parser.add_argument("--eval_dataset", required=True, help="manifest or text file of sentences")
    parser.add_argument("--save_dir", required=True)
    parser.add_argument("--batch_size", type=int, default=8)
    parser.add_argument("--griffin_lim_iters", type=int, default=32)
    parser.add_argument("--waveglow_sigma", type=float, default=0.6)
    parser.add_argument("--denoising_strength", type=float, default=0.0, help="WaveGlow denoiser strength")
    parser.add_argument("--save_plots", action="store_true", help="also write alignment/mel/gate PNGs")
    parser.add_argument("--amp_opt_level", default="O0")
    parser.add_argument("--local_rank", type=int, default=None)
    args = parser.parse_args(argv)
    if args.vocoder == "waveglow" and not args.vocoder_model_load_dir:
        parser.error("--vocoder waveglow needs --vocoder_model_load_dir")
    return args


def restore_latest(module, folder, key=None):
    """Load the newest ``<key>-STEP-*.pt`` of ``folder`` (key: the module's class name)."""
    key = key or type(module).__name__
    steps = checkpoint.saved_steps(folder, key)
    if not steps:
        raise FileNotFoundError(f"no {key}-STEP-*.pt checkpoint in {folder}")
    module.restore_from(checkpoint.module_file(folder, key, steps[-1]))


def write_wav(path, audio, sample_rate):
    with atomic_path(path) as tmp:
        sf.write(tmp, audio, sample_rate, format="WAV", subtype="PCM_16")


def main(argv=None):
    args = parse_args(argv)
    nf = nemo.core.NeuralModuleFactory(local_rank=args.local_rank, optimization_level=args.amp_opt_level,
                                       random_seed=0)
    config = load_config(args.spec_model_config)
    model = Tacotron2Model(config)
    decoder_infer = model.inference_decoder()
    for module in (model.text_embedding, model.encoder, model.postnet):
        restore_latest(module, args.spec_model_load_dir)
    restore_latest(decoder_infer, args.spec_model_load_dir, "Tacotron2Decoder")

    layer = nemo_tts.TextDataLayer(args.eval_dataset, config["labels"], args.batch_size,
                                   **symbol_ids(config["labels"]))
    transcript, transcript_len = layer()
    mel, gate, alignments, mel_len = model.infer_dag(transcript, transcript_len, decoder_infer)
    wanted = [mel, gate, alignments, mel_len, transcript_len]
    mel_settings = MelSettings(**config["AudioToMelSpectrogramPreprocessor"])
    hop = mel_settings.hop_length
    if args.vocoder == "waveglow":
        waveglow_config = load_config(args.vocoder_model_config, required=("WaveGlowNM",))
        waveglow = nemo_tts.WaveGlowInferNM(sigma=args.waveglow_sigma, denoiser_strength=args.denoising_strength,
                                            **waveglow_config["WaveGlowNM"])
        restore_latest(waveglow, args.vocoder_model_load_dir, "WaveGlowNM")
        wanted.append(waveglow(mel_spectrogram=mel))
    values = nf.infer(wanted, verbose=False)

    os.makedirs(args.save_dir, exist_ok=True)
    index = 0
    for batch in zip(*values):
        for b in range(batch[0].shape[0]):
            frames = int(batch[3][b])
            one_mel = batch[0][b, :, :frames]
            if args.vocoder == "waveglow":
                audio = batch[5][b, : frames * hop].float().numpy()
            else:
                audio = mel_settings.griffin_lim(one_mel, n_iters=args.griffin_lim_iters)
            audio = audio / max(1.0, float(np.abs(audio).max()))
            write_wav(os.path.join(args.save_dir, f"{index}.wav"), audio, mel_settings.sample_rate)
            if args.save_plots:
                steps = -(-frames // config["Tacotron2Decoder"].get("n_frames_per_step", 1))
                alignment = batch[2][b, :steps, : int(batch[4][b])]
                save_figure(alignment_figure(alignment, layer.sentences[index][:60]),
                            os.path.join(args.save_dir, f"{index}_alignment.png"))
                save_figure(spectrogram_figure(one_mel, "predicted mel (postnet)"),
                            os.path.join(args.save_dir, f"{index}_mel.png"))
                save_figure(gate_figure(torch.sigmoid(batch[1][b, :frames]).numpy()),
                            os.path.join(args.save_dir, f"{index}_gate.png"))
            nf.logger.info(f"{index}.wav: {frames} frames, {len(audio) / mel_settings.sample_rate:.2f} s: "
                           f"{layer.sentences[index]}")
            index += 1
    return index


if __name__ == "__main__":
    main()
