"""Train WaveGlow on random audio segments and their mels (legacy flags).

    python examples/tts/waveglow.py --max_steps 200                    # tiny config, bundled tts_slt sample
    python examples/tts/waveglow.py --model_config examples/tts/configs/waveglow.yaml \\
        --train_dataset LJSpeech/ljspeech_train.json --eval_datasets LJSpeech/ljspeech_eval.json \\
        --num_epochs 1500 --batch_size 12 --lr 1e-4

Checkpoints (``WaveGlowNM-STEP-*.pt``) serve ``tts_infer.py --vocoder waveglow``.
"""

import os
from functools import partial

import nemo
import nemo_asr
import nemo_tts
from nemo.utils import NemoArgParser
from nemo.utils.lr_policies import CosineAnnealing
from tts_common import HERE, TTS_SLT, load_config, text_data_layer

SECTIONS = ("labels", "AudioToMelSpectrogramPreprocessor", "WaveGlowNM", "n_segments")


def parse_args(argv=None):
    parser = NemoArgParser(description="Train WaveGlow on manifests of speech")
    parser.set_defaults(
        model_config=os.path.join(HERE, "configs", "waveglow_tiny.yaml"),
        train_dataset=os.path.join(TTS_SLT, "train_manifest.json"),
        eval_datasets=[os.path.join(TTS_SLT, "val_manifest.json")],
        exp_name="WaveGlow", work_dir="waveglow_exp", batch_size=8, eval_freq=100, lr=1e-3, optimizer="adam",
        checkpoint_save_freq=100, create_tb_writer=True, random_seed=0,
    )
    parser.add_argument("--grad_norm_clip", type=float, default=1.0)
    args = parser.parse_args(argv)
    if args.num_epochs is None and args.max_steps is None:
        parser.error("give --num_epochs or --max_steps")
    return args


def waveglow_dag(layer, crop, preprocessor, waveglow, loss_module):
    audio, audio_len, _, _ = layer()
    audio, audio_len = crop(audio_signal=audio, a_sig_length=audio_len)
    mel, _ = preprocessor(input_signal=audio, length=audio_len)
    z, log_s, log_det = waveglow(mel_spectrogram=mel, audio=audio)
    return loss_module(z=z, log_s_list=log_s, log_det_W_list=log_det)


def collect_loss(tensors, global_vars):
    for name, values in tensors.items():
        global_vars.setdefault("losses", []).extend(float(v) for v in values)


def mean_loss(global_vars, tag):
    losses = global_vars.get("losses") or [float("nan")]
    return {f"{tag}/eval_loss": sum(losses) / len(losses)}


def main(argv=None):
    args = parse_args(argv)
    log_dir = os.path.join(args.work_dir, args.exp_name) if args.work_dir else args.exp_name
    nf = nemo.core.NeuralModuleFactory(
        local_rank=args.local_rank, optimization_level=args.amp_opt_level, log_dir=log_dir,
        checkpoint_dir=args.checkpoint_dir, create_tb_writer=args.create_tb_writer,
        tensorboard_dir=args.tensorboard_dir, files_to_copy=[args.model_config, __file__], random_seed=args.random_seed)
    config = load_config(args.model_config, required=SECTIONS)
    prep = dict(config["AudioToMelSpectrogramPreprocessor"], pad_to=0)
    preprocessor = nemo_asr.AudioToMelSpectrogramPreprocessor(**prep)
    waveglow = nemo_tts.WaveGlowNM(**config["WaveGlowNM"])
    loss_module = nemo_tts.WaveGlowLoss(**(config.get("WaveGlowLoss") or {}))
    crop = nemo_tts.RandomAudioSegment(config["n_segments"], sample_rate=prep["sample_rate"])
    nf.logger.info(f"{config.get('model', 'WaveGlow')}: {waveglow.num_weights} weights")

    train_layer = text_data_layer(config, args.train_dataset, args.batch_size, "train", num_workers=args.num_workers)
    loss = waveglow_dag(train_layer, crop, preprocessor, waveglow, loss_module)
    callbacks = [nemo.core.SimpleLossLoggerCallback(tensors=[loss], step_freq=25),
                 nemo.core.CheckpointCallback(folder=nf.checkpoint_dir, load_from_folder=args.load_dir,
                                              step_freq=args.checkpoint_save_freq)]
    for manifest in args.eval_datasets or []:
        layer = text_data_layer(config, manifest, args.eval_batch_size or args.batch_size, "eval")
        tag = os.path.basename(manifest).split(".")[0]
        callbacks.append(nemo.core.EvaluatorCallback(
            eval_tensors=[waveglow_dag(layer, crop, preprocessor, waveglow, loss_module)],
            user_iter_callback=collect_loss, user_epochs_done_callback=partial(mean_loss, tag=tag),
            eval_step=args.eval_freq))
    steps_per_epoch = -(-len(train_layer) // (args.batch_size * nf.world_size))
    total = min(s for s in (args.max_steps, args.num_epochs and args.num_epochs * steps_per_epoch) if s)
    nf.train(tensors_to_optimize=[loss], callbacks=callbacks, optimizer=args.optimizer,
             lr_policy=CosineAnnealing(total_steps=total, warmup_steps=args.warmup_steps),
             optimization_params={"num_epochs": args.num_epochs, "max_steps": args.max_steps, "lr": args.lr,
                                  "weight_decay": args.weight_decay, "grad_norm_clip": args.grad_norm_clip})
    nf.logger.info(f"Checkpoints are in {nf.checkpoint_dir}")
    return nf


if __name__ == "__main__":
    main()
