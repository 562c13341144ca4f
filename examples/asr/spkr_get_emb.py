"""Speaker embeddings of every utterance of a manifest from trained checkpoints, saved as numpy.

    python examples/asr/spkr_get_emb.py --model_config examples/asr/configs/quartznet_spkr_3x2x512_xvector.yaml \\
        --eval_datasets data/test.json --load_dir exp/checkpoints --embedding_dir embeddings --labels fash,ffmm

Writes ``<embedding_dir>/<manifest stem>_embeddings.npy`` (N, D) and ``..._embeddings.json`` (the
audio paths and labels, in the same order). The newest ``JasperEncoder`` / ``JasperDecoderForSpkrClass``
checkpoints in ``--load_dir`` are restored; ``--labels`` (comma-separated, as in training) sizes
the classifier whose weights are restored.
"""

import json
import os

import numpy as np

import nemo
from classification_common import DATA, ClassificationModel, load_config, manifest_labels, manifest_tag
from nemo.utils import NemoArgParser
from nemo.utils.atomic import atomic_path


def parse_args(argv=None):
    parser = NemoArgParser(description="Speaker embeddings for manifests")
    sample = os.path.join(DATA, "an4_speaker")
    parser.set_defaults(model_config=os.path.join(os.path.dirname(__file__), "configs", "quartznet_spkr_an4.yaml"),
                        eval_datasets=[os.path.join(sample, "all_manifest.json")], batch_size=1)
    parser.add_argument("--load_dir", required=True, help="folder with the trained checkpoints")
    parser.add_argument("--embedding_dir", default="embeddings", help="output folder")
    parser.add_argument("--labels", default=None, help="training speakers, comma-separated (default: the "
                        "config's labels, else those of --train_dataset)")
    args = parser.parse_args(argv)
    if not os.path.isdir(args.load_dir):
        parser.error(f"--load_dir {args.load_dir} is not a folder")
    return args


def main(argv=None):
    args = parse_args(argv)
    nf = nemo.core.NeuralModuleFactory(local_rank=args.local_rank, optimization_level=args.amp_opt_level)
    config = load_config(args.model_config)
    if args.labels:
        labels = args.labels.split(",")
    else:
        labels = config["labels"] or manifest_labels(args.train_dataset or args.eval_datasets[0])
    model = ClassificationModel(config, labels=labels)
    os.makedirs(args.embedding_dir, exist_ok=True)
    for index, manifest in enumerate(args.eval_datasets):
        # the manifest's own speakers: test speakers need not be training classes
        layer = model.data_layer(manifest, args.batch_size, train=False, num_workers=args.num_workers,
                                 labels=manifest_labels(manifest))
        embs = model.dag(layer, train=False)[3]
        values, = nf.infer([embs], checkpoint_dir=args.load_dir if index == 0 else None)
        if nf.global_rank != 0:
            continue
        matrix = np.concatenate([v.float().cpu().numpy() for v in values])
        stem = os.path.join(args.embedding_dir, f"{manifest_tag(manifest)}_embeddings")
        with atomic_path(stem + ".npy") as tmp, open(tmp, "wb") as handle:
            np.save(handle, matrix)
        with atomic_path(stem + ".json") as tmp, open(tmp, "w", encoding="utf-8") as handle:
            json.dump([{"audio_filepath": e.audio_filepath, "label": e.text} for e in layer.dataset.entries], handle)
        print(f"{manifest}: {matrix.shape[0]} embeddings of size {matrix.shape[1]} -> {stem}.npy")


if __name__ == "__main__":
    main()
