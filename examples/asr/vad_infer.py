"""Speech segments of long recordings with a trained VAD (sliding windows, smoothing, hysteresis).

    python examples/asr/vad_infer.py --load_dir QuartzNet_VAD/checkpoints --audio a.wav b.wav --out segments.rttm

Writes RTTM (``.rttm``) or JSON lines (anything else) with one line per speech segment.
Score against a reference with ``scripts/score_vad.py``.
"""

import argparse
import os

import torch

import nemo
from classification_common import HERE, ClassificationModel, load_config
from nemo_asr.frame_vad import FrameVAD
from nemo_asr.parts.audio import load_audio
from nemo_asr.parts.vad import write_segments


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model_config", default=os.path.join(HERE, "configs", "quartznet_vad_3x1.yaml"))
    parser.add_argument("--load_dir", required=True, help="folder with JasperEncoder/JasperDecoderForClassification checkpoints")
    parser.add_argument("--audio", nargs="+", required=True, help="audio files")
    parser.add_argument("--out", required=True, help="output .rttm or .json")
    parser.add_argument("--window", type=float, default=0.63, help="classifier window, seconds (as in training)")
    parser.add_argument("--shift", type=float, default=0.01, help="frame shift, seconds")
    parser.add_argument("--onset", type=float, default=0.5, help="speech starts when the probability reaches this")
    parser.add_argument("--offset", type=float, default=0.3, help="speech ends when the probability drops below this")
    parser.add_argument("--smoothing_frames", type=int, default=5)
    parser.add_argument("--smoothing", choices=["mean", "median"], default="mean")
    parser.add_argument("--min_speech", type=float, default=0.1, help="drop shorter segments, seconds")
    parser.add_argument("--min_silence", type=float, default=0.1, help="bridge shorter pauses, seconds")
    parser.add_argument("--batch_size", type=int, default=256)
    args = parser.parse_args(argv)
    if not os.path.isdir(args.load_dir):
        parser.error(f"--load_dir {args.load_dir} is not a folder")
    nemo.core.NeuralModuleFactory(create_tb_writer=False)
    model = ClassificationModel(load_config(args.model_config))
    for module in (model.encoder, model.decoder):
        found = sorted(f for f in os.listdir(args.load_dir) if f.startswith(type(module).__name__ + "-STEP-"))
        if not found:
            parser.error(f"no {type(module).__name__}-STEP-*.pt in {args.load_dir}")
        newest = max(found, key=lambda f: int(f.rsplit("-", 1)[1].split(".")[0]))
        module.restore_from(os.path.join(args.load_dir, newest))
    vad = FrameVAD(model.preprocessor, model.encoder, model.decoder, crop=model.crop, sample_rate=model.sample_rate,
                   window=args.window, shift=args.shift, speech_index=model.labels.index("speech"),
                   batch_size=args.batch_size)
    results = {}
    for path in args.audio:
        audio = torch.from_numpy(load_audio(path, model.sample_rate))
        results[path] = vad.segments(audio, onset=args.onset, offset=args.offset,
                                     smoothing_frames=args.smoothing_frames, smoothing=args.smoothing,
                                     min_speech=args.min_speech, min_silence=args.min_silence)
        print(f"{path}: {len(results[path])} speech segment(s)")
    write_segments(results, args.out)


if __name__ == "__main__":
    main()
