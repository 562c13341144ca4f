"""Train FastSpeech on speech, text and durations (legacy flags).

    python examples/tts/fastspeech_durations.py --spec_model_load_dir tacotron2_exp/Tacotron2/checkpoints \\
        --manifest tests/data/tts_slt/train_manifest.json --durs_dir durations
    python examples/tts/fastspeech.py --durs_dir durations --max_steps 300 \\
        --model_config examples/tts/configs/fastspeech.yaml
"""

import os

import nemo
import nemo_asr
import nemo_tts
from nemo.utils import NemoArgParser
from nemo.utils.lr_policies import CosineAnnealing
from tts_common import HERE, TTS_SLT, data_layer_params, load_config, symbol_ids

SECTIONS = ("labels", "AudioToMelSpectrogramPreprocessor", "FastSpeech")


def parse_args(argv=None):
    parser = NemoArgParser(description="Train FastSpeech with durations from a Tacotron 2")
    parser.set_defaults(model_config=os.path.join(HERE, "configs", "fastspeech.yaml"),
                        train_dataset=os.path.join(TTS_SLT, "train_manifest.json"), exp_name="FastSpeech",
                        work_dir="fastspeech_exp", batch_size=16, lr=1e-3, optimizer="adam",
                        checkpoint_save_freq=100, create_tb_writer=True, random_seed=0)
    parser.add_argument("--durs_dir", required=True, help="folder of <audio stem>.npy durations")
    parser.add_argument("--grad_norm_clip", type=float, default=1.0)
    args = parser.parse_args(argv)
    if args.num_epochs is None and args.max_steps is None:
        parser.error("give --num_epochs or --max_steps")
    return args


def main(argv=None):
    args = parse_args(argv)
    log_dir = os.path.join(args.work_dir, args.exp_name) if args.work_dir else args.exp_name
    nf = nemo.core.NeuralModuleFactory(local_rank=args.local_rank, optimization_level=args.amp_opt_level,
                                       log_dir=log_dir, checkpoint_dir=args.checkpoint_dir,
                                       create_tb_writer=args.create_tb_writer, random_seed=args.random_seed,
                                       files_to_copy=[args.model_config, __file__])
    config = load_config(args.model_config, required=SECTIONS)
    labels = config["labels"]
    ids = symbol_ids(labels)
    layer = nemo_tts.FastSpeechDataLayer(manifest_filepath=args.train_dataset, durs_dir=args.durs_dir, labels=labels,
                                         batch_size=args.batch_size, num_workers=args.num_workers, **ids,
                                         **data_layer_params(config, "train"))
    preprocessor = nemo_asr.AudioToMelSpectrogramPreprocessor(**config["AudioToMelSpectrogramPreprocessor"])
    model = nemo_tts.FastSpeech(n_src_vocab=len(labels) + 3, pad_id=ids["pad_id"], **config["FastSpeech"])
    nf.logger.info(f"FastSpeech: {model.num_weights} weights")
    audio, audio_len, text, text_len, durations = layer()
    mel, mel_len = preprocessor(input_signal=audio, length=audio_len)
    mel_pred, dur_pred, _ = model(text=text, text_length=text_len, dur_true=durations)
    loss = nemo_tts.FastSpeechLoss()(mel_true=mel, mel_pred=mel_pred, mel_len=mel_len, dur_true=durations,
                                     dur_pred=dur_pred, text_length=text_len)
    steps_per_epoch = -(-len(layer) // (args.batch_size * nf.world_size))
    total = min(s for s in (args.max_steps, args.num_epochs and args.num_epochs * steps_per_epoch) if s)
    nf.train(tensors_to_optimize=[loss], optimizer=args.optimizer,
             callbacks=[nemo.core.SimpleLossLoggerCallback(tensors=[loss], step_freq=25),
                        nemo.core.CheckpointCallback(folder=nf.checkpoint_dir, load_from_folder=args.load_dir,
                                                     step_freq=args.checkpoint_save_freq)],
             lr_policy=CosineAnnealing(total_steps=total, warmup_steps=args.warmup_steps),
             optimization_params={"num_epochs": args.num_epochs, "max_steps": args.max_steps, "lr": args.lr,
                                  "weight_decay": args.weight_decay, "grad_norm_clip": args.grad_norm_clip})
    return nf


if __name__ == "__main__":
    main()
