"""Extract per-symbol durations for FastSpeech from a trained Tacotron 2's teacher-forced attention.

    python examples/tts/fastspeech_durations.py --spec_model_config examples/tts/configs/tacotron2_tiny.yaml \\
        --spec_model_load_dir tacotron2_exp/Tacotron2/checkpoints \\
        --manifest tests/data/tts_slt/train_manifest.json --durs_dir durations

Writes ``<durs_dir>/<audio file stem>.npy`` per utterance: int64 frames per symbol (bos and eos
included), summing to the utterance's mel frames.
"""

import argparse
import os

import numpy as np

import nemo
from nemo.utils.atomic import atomic_path
from nemo_tts.parts.fastspeech import durations_from_alignment
from nemo_tts.parts.layers import decoder_steps
from tts_common import HERE, Tacotron2Model, load_config, text_data_layer
from tts_infer import restore_latest


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--spec_model_config", default=os.path.join(HERE, "configs", "tacotron2_tiny.yaml"))
    parser.add_argument("--spec_model_load_dir", required=True)
    parser.add_argument("--manifest", required=True)
    parser.add_argument("--durs_dir", required=True)
    parser.add_argument("--batch_size", type=int, default=16)
    args = parser.parse_args(argv)
    nf = nemo.core.NeuralModuleFactory(random_seed=0)
    config = load_config(args.spec_model_config)
    model = Tacotron2Model(config)
    for module in model.trainables:
        restore_latest(module, args.spec_model_load_dir)
    model.decoder.force = True
    layer = text_data_layer(config, args.manifest, args.batch_size, "eval", shuffle=False)
    tensors = model.dag(layer)
    values = nf.infer([tensors["alignments"], tensors["transcript_len"], tensors["target_len"]], verbose=False)
    r = config["Tacotron2Decoder"].get("n_frames_per_step", 1)
    os.makedirs(args.durs_dir, exist_ok=True)
    entries = iter(layer.dataset.entries)
    count = 0
    for alignments, symbols, frames in zip(*values):
        for b in range(alignments.shape[0]):
            steps = int(decoder_steps(frames[b: b + 1], r)[0])
            durations = durations_from_alignment(alignments[b, :steps, : int(symbols[b])], int(frames[b]), r)
            stem = os.path.splitext(os.path.basename(next(entries).audio_filepath))[0]
            with atomic_path(os.path.join(args.durs_dir, f"{stem}.npy")) as tmp:
                with open(tmp, "wb") as handle:
                    np.save(handle, durations.numpy())
            count += 1
    nf.logger.info(f"wrote durations of {count} utterances to {args.durs_dir}")


if __name__ == "__main__":
    main()
