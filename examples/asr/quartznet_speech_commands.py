"""Train a QuartzNet/MatchboxNet keyword classifier on Google Speech Commands manifests.

    python scripts/process_speech_commands_data.py --data_root data/speech_commands_v1 --out_dir data/sc_v1
    python examples/asr/quartznet_speech_commands.py --model_config examples/asr/configs/quartznet_speech_commands_3x1_v1.yaml \\
        --train_dataset data/sc_v1/train_manifest.json --eval_datasets data/sc_v1/validation_manifest.json \\
        --num_epochs 200 --batch_size 128 --lr 0.05 --warmup_ratio 0.05 --amp_opt_level O1

Without dataset flags it trains on the ten bundled clips (tests/data/speech_commands, classes
"cat" and "dog"); the classes then come from the training manifest. Top-1 accuracy and a
confusion matrix (TensorBoard image) are logged per evaluation manifest.
"""

import os

from classification_common import DATA, manifest_labels, parse_args, train

SAMPLE = os.path.join(DATA, "speech_commands")

if __name__ == "__main__":
    args = parse_args(
        "Train a speech commands classifier", "quartznet_speech_commands_3x1_v1.yaml",
        train_dataset=os.path.join(SAMPLE, "train_manifest.json"),
        eval_datasets=[os.path.join(SAMPLE, "test_manifest.json")], exp_name="QuartzNet_SpeechCommands")
    on_sample = os.path.abspath(args.train_dataset).startswith(SAMPLE)
    train(args, __file__, labels=manifest_labels(args.train_dataset) if on_sample else None)
