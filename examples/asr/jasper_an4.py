"""Train a small Jasper on the bundled AN4 sample (CPU, a few minutes), printing WER as it goes.

    python examples/asr/jasper_an4.py                       # defaults: bundled data and config
    python examples/asr/jasper_an4.py --num_epochs 100 --lr 0.02
"""

import os
from functools import partial

from ruamel.yaml import YAML

import nemo
import nemo_asr
from nemo.utils import NemoArgParser
from nemo.utils.lr_policies import CosineAnnealing
from nemo_asr.helpers import monitor_asr_train_progress, process_evaluation_batch, process_evaluation_epoch

HERE = os.path.dirname(os.path.abspath(__file__))
AN4 = os.path.join(HERE, "..", "..", "tests", "data", "an4")


def parse_args():
    parser = NemoArgParser(description="Jasper on the AN4 sample")
    parser.set_defaults(
        train_dataset=os.path.join(AN4, "train_manifest.json"),
        eval_datasets=[os.path.join(AN4, "test_manifest.json")],
        model_config=os.path.join(HERE, "configs", "jasper_an4.yaml"),
        work_dir="jasper_an4_exp",
        batch_size=8,
        num_epochs=60,
        lr=0.02,
        weight_decay=1e-3,
        optimizer="novograd",
        random_seed=0,
    )
    parser.add_argument("--eval_freq_steps", type=int, default=40)
    return parser.parse_args()


def main():
    args = parse_args()
    nf = nemo.core.NeuralModuleFactory(local_rank=args.local_rank, optimization_level=args.amp_opt_level,
                                       log_dir=args.work_dir, checkpoint_dir=args.checkpoint_dir,
                                       create_tb_writer=True, random_seed=args.random_seed, files_to_copy=[__file__])
    logger = nf.logger
    yaml = YAML(typ="safe")
    with open(args.model_config) as handle:
        config = yaml.load(handle)
    labels = config["labels"]
    data_cfg = config["AudioToTextDataLayer"]

    shared = {k: v for k, v in data_cfg.items() if k not in ("train", "eval")}
    data_layer = nemo_asr.AudioToTextDataLayer(manifest_filepath=args.train_dataset, labels=labels,
                                               batch_size=args.batch_size, **{**shared, **data_cfg["train"]})
    data_layer_eval = nemo_asr.AudioToTextDataLayer(manifest_filepath=",".join(args.eval_datasets), labels=labels,
                                                    batch_size=args.batch_size, **{**shared, **data_cfg["eval"]})
    preprocessor = nemo_asr.AudioToMelSpectrogramPreprocessor(**config["AudioToMelSpectrogramPreprocessor"])
    spec_augment = nemo_asr.SpectrogramAugmentation(**config["SpectrogramAugmentation"])
    encoder = nemo_asr.JasperEncoder(feat_in=config["AudioToMelSpectrogramPreprocessor"]["features"],
                                     **config["JasperEncoder"])
    decoder = nemo_asr.JasperDecoderForCTC(feat_in=config["JasperEncoder"]["jasper"][-1]["filters"],
                                           num_classes=len(labels))
    ctc_loss = nemo_asr.CTCLossNM(num_classes=len(labels))
    greedy_decoder = nemo_asr.GreedyCTCDecoder()
    logger.info(f"Encoder: {encoder.num_weights} weights; decoder: {decoder.num_weights}")

    # Train DAG
    audio, audio_len, transcript, transcript_len = data_layer()
    spec, spec_len = preprocessor(input_signal=audio, length=audio_len)
    encoded, encoded_len = encoder(audio_signal=spec_augment(input_spec=spec), length=spec_len)
    log_probs = decoder(encoder_output=encoded)
    predictions = greedy_decoder(log_probs=log_probs)
    loss = ctc_loss(log_probs=log_probs, targets=transcript, input_length=encoded_len, target_length=transcript_len)

    # Eval DAG
    audio_e, audio_len_e, transcript_e, transcript_len_e = data_layer_eval()
    spec_e, spec_len_e = preprocessor(input_signal=audio_e, length=audio_len_e)
    encoded_e, encoded_len_e = encoder(audio_signal=spec_e, length=spec_len_e)
    log_probs_e = decoder(encoder_output=encoded_e)
    predictions_e = greedy_decoder(log_probs=log_probs_e)
    loss_e = ctc_loss(log_probs=log_probs_e, targets=transcript_e, input_length=encoded_len_e,
                      target_length=transcript_len_e)

    steps_per_epoch = -(-len(data_layer) // (args.batch_size * nf.world_size))
    total_steps = args.max_steps or args.num_epochs * steps_per_epoch
    callbacks = [
        nemo.core.SimpleLossLoggerCallback(
            tensors=[loss, predictions, transcript, transcript_len], step_freq=args.eval_freq_steps,
            print_func=partial(monitor_asr_train_progress, labels=labels, logger=logger)),
        nemo.core.EvaluatorCallback(
            eval_tensors=[loss_e, predictions_e, transcript_e, transcript_len_e],
            user_iter_callback=partial(process_evaluation_batch, labels=labels),
            user_epochs_done_callback=partial(process_evaluation_epoch, tag="AN4-TEST", logger=logger),
            eval_step=args.eval_freq_steps),
        nemo.core.CheckpointCallback(folder=nf.checkpoint_dir, step_freq=args.checkpoint_save_freq),
    ]
    nf.train(tensors_to_optimize=[loss], callbacks=callbacks, optimizer=args.optimizer,
             lr_policy=CosineAnnealing(total_steps=total_steps, warmup_steps=args.warmup_steps or 0),
             optimization_params={"num_epochs": args.num_epochs, "max_steps": args.max_steps, "lr": args.lr,
                                  "weight_decay": args.weight_decay})
    logger.info(f"Checkpoints are in {nf.checkpoint_dir}")


if __name__ == "__main__":
    main()
