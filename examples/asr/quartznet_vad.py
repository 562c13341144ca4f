"""Train a MatchboxNet voice activity detector on windows labelled 'speech' / 'background'.

    python scripts/process_vad_data.py --speech_manifest data/sc_v2/train_manifest.json \\
        --background_dir data/speech_commands_v2/_background_noise_ --out_manifest data/vad/train.json --val_ratio 0.1
    python examples/asr/quartznet_vad.py --train_dataset data/vad/train.json --eval_datasets data/vad/train_val.json \\
        --num_epochs 50 --batch_size 128 --lr 0.05
    python examples/asr/vad_infer.py --load_dir QuartzNet_VAD/checkpoints --audio long.wav --out segments.rttm

The config (``quartznet_vad_3x1.yaml``) classifies 0.63 s windows into ``background`` and ``speech``.
"""

from classification_common import parse_args, train

if __name__ == "__main__":
    args = parse_args("Train a voice activity detector", "quartznet_vad_3x1.yaml", train_dataset=None,
                      eval_datasets=None, exp_name="QuartzNet_VAD")
    if args.train_dataset is None:
        raise SystemExit("give --train_dataset (a manifest written by scripts/process_vad_data.py)")
    train(args, __file__)
