"""Train Tacotron 2 (legacy flags). Defaults: the tiny config on the bundled tts_slt sample.

    python examples/tts/tacotron2.py --max_steps 300        # ~2M weights, CPU, a few minutes
    python examples/tts/tacotron2.py --model_config examples/tts/configs/tacotron2.yaml \\
        --train_dataset LJSpeech/ljspeech_train.json --eval_datasets LJSpeech/ljspeech_eval.json \\
        --num_epochs 1500 --batch_size 48 --lr 1e-3 --weight_decay 1e-6

Logs, TensorBoard events (losses, alignment/mel/gate images, Griffin-Lim audio of the eval set)
and checkpoints go to ``<work_dir>/<exp_name>``. At the end the script measures, on the first
eval manifest, the share of teacher-forced attention near the diagonal and the length of
free-running outputs against the references, and writes ``alignment.png`` there.
"""

import json
import os
from functools import partial

import nemo
from nemo.utils import NemoArgParser
from nemo.utils.lr_policies import get_lr_policy
from nemo_tts.helpers import (
    MelSettings,
    tacotron2_eval_log_to_tb_func,
    tacotron2_log_to_tb_func,
    tacotron2_process_eval_batch,
    tacotron2_process_final_eval,
)
from nemo_tts.parts.plots import alignment_figure, save_figure
from tts_common import HERE, TTS_SLT, Tacotron2Model, alignment_report, load_config, text_data_layer


def parse_args(argv=None):
    parser = NemoArgParser(description="Train Tacotron 2 on manifests of speech and text")
    parser.set_defaults(
        model_config=os.path.join(HERE, "configs", "tacotron2_tiny.yaml"),
        train_dataset=os.path.join(TTS_SLT, "train_manifest.json"),
        eval_datasets=[os.path.join(TTS_SLT, "val_manifest.json")],
        exp_name="Tacotron2", work_dir="tacotron2_exp", batch_size=16, eval_freq=100, lr=3e-3,
        weight_decay=1e-6, optimizer="adam", checkpoint_save_freq=100, create_tb_writer=True, random_seed=0,
        lr_policy=None,
    )
    parser.add_argument("--grad_norm_clip", type=float, default=1.0, help="clip gradients to this norm")
    parser.add_argument("--min_lr", type=float, default=1e-5, help="final learning rate of --lr_policy")
    args = parser.parse_args(argv)
    if args.num_epochs is None and args.max_steps is None:
        parser.error("give --num_epochs or --max_steps")
    return args


def eval_callback(model, tensors, manifest, mel_settings, logger, eval_freq):
    """An evaluator with the mean loss, pictures and Griffin-Lim audio of the first batch."""
    tag = os.path.basename(manifest).split(".")[0]
    pictures = {"mel_target": tensors["mel_target"], "mel_postnet": tensors["mel_postnet"], "gate": tensors["gate"],
                "alignments": tensors["alignments"], "gate_target": tensors["gate_target"],
                "target_len": tensors["target_len"]}
    eval_tensors = tensors["losses"][:1] + list(pictures.values())
    return nemo.core.EvaluatorCallback(
        eval_tensors=eval_tensors,
        user_iter_callback=partial(tacotron2_process_eval_batch, loss_names=[tensors["losses"][0].unique_name],
                                   picture_names={k: t.unique_name for k, t in pictures.items()}),
        user_epochs_done_callback=partial(tacotron2_process_final_eval, tag=tag, logger=logger),
        tb_writer_func=partial(tacotron2_eval_log_to_tb_func, tag=tag, mel_settings=mel_settings),
        eval_step=eval_freq)


def main(argv=None):
    args = parse_args(argv)
    log_dir = os.path.join(args.work_dir, args.exp_name) if args.work_dir else args.exp_name
    nf = nemo.core.NeuralModuleFactory(
        local_rank=args.local_rank, optimization_level=args.amp_opt_level, log_dir=log_dir,
        checkpoint_dir=args.checkpoint_dir, create_tb_writer=args.create_tb_writer,
        tensorboard_dir=args.tensorboard_dir, files_to_copy=[args.model_config, __file__],
        cudnn_benchmark=args.cudnn_benchmark, random_seed=args.random_seed)
    logger = nf.logger
    config = load_config(args.model_config)
    model = Tacotron2Model(config)
    logger.info(f"{config.get('model', 'Tacotron 2')}: {model.num_weights} weights")
    mel_settings = MelSettings(**config["AudioToMelSpectrogramPreprocessor"])

    train_layer = text_data_layer(config, args.train_dataset, args.batch_size, "train", num_workers=args.num_workers)
    train = model.dag(train_layer)
    callbacks = [
        nemo.core.SimpleLossLoggerCallback(
            tensors=train["losses"][:1] + [
                train[k] for k in ("mel_target", "mel_postnet", "gate", "alignments", "gate_target", "target_len")],
            log_to_tb_func=partial(tacotron2_log_to_tb_func, log_images=True, log_images_freq=args.eval_freq),
            step_freq=25),
        nemo.core.CheckpointCallback(folder=nf.checkpoint_dir, load_from_folder=args.load_dir,
                                     step_freq=args.checkpoint_save_freq),
    ]
    for manifest in args.eval_datasets or []:
        layer = text_data_layer(config, manifest, args.eval_batch_size or args.batch_size, "eval",
                                num_workers=args.num_workers)
        callbacks.append(eval_callback(model, model.dag(layer), manifest, mel_settings, logger, args.eval_freq))

    steps_per_epoch = -(-len(train_layer) // (args.batch_size * nf.world_size))
    total = min(s for s in (args.max_steps, args.num_epochs and args.num_epochs * steps_per_epoch) if s)
    policy = args.lr_policy and get_lr_policy(args.lr_policy, total_steps=total, warmup_steps=args.warmup_steps,
                                              min_lr=args.min_lr)
    nf.train(tensors_to_optimize=train["losses"], callbacks=callbacks, optimizer=args.optimizer, lr_policy=policy,
             optimization_params={"num_epochs": args.num_epochs, "max_steps": args.max_steps, "lr": args.lr,
                                  "weight_decay": args.weight_decay, "grad_norm_clip": args.grad_norm_clip})
    if args.eval_datasets and nf.global_rank == 0:
        report = alignment_report(nf, model, config, args.eval_datasets[0], args.eval_batch_size or args.batch_size)
        save_figure(alignment_figure(report.pop("alignment"), "teacher-forced alignment (eval)"),
                    os.path.join(log_dir, "alignment.png"))
        ratios = report["stop_ratios"]
        logger.info(f"Alignment: {report['diagonal_share']:.3f} of the attention within 0.2 of the diagonal; "
                    f"free-running length / reference: {min(ratios):.2f}..{max(ratios):.2f}")
        with open(os.path.join(log_dir, "alignment_report.json"), "w") as handle:
            json.dump(report, handle, indent=1)
    logger.info(f"Checkpoints are in {nf.checkpoint_dir}")
    return nf


if __name__ == "__main__":
    main()
