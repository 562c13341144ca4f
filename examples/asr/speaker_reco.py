"""Train a QuartzNet speaker classifier whose first decoder layer gives speaker embeddings.

    python examples/asr/speaker_reco.py --model_config examples/asr/configs/quartznet_spkr_3x2x512_xvector.yaml \\
        --train_dataset data/voxceleb/train.json --eval_datasets data/voxceleb/dev.json --num_epochs 50

The speakers are the distinct labels of ``--train_dataset`` (or the config's non-empty ``labels``).
Without dataset flags it trains the small ``quartznet_spkr_an4`` model on the bundled AN4 speaker sample.
Then ``spkr_get_emb.py`` writes embeddings and ``scripts/speaker_eer.py`` scores a trial list.
"""

import os

from classification_common import DATA, load_config, manifest_labels, parse_args, train

SAMPLE = os.path.join(DATA, "an4_speaker")

if __name__ == "__main__":
    args = parse_args("Train a speaker recognition model", "quartznet_spkr_an4.yaml",
                      train_dataset=os.path.join(SAMPLE, "train_manifest.json"),
                      eval_datasets=[os.path.join(SAMPLE, "dev_manifest.json")], exp_name="QuartzNet_Speakers",
                      batch_size=10, lr=0.01)
    labels = load_config(args.model_config)["labels"] or manifest_labels(args.train_dataset)
    train(args, __file__, labels=labels)
