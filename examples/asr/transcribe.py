"""Transcribe audio files with a trained Jasper/QuartzNet: text and word start/end times.

    python examples/asr/transcribe.py --model_config examples/asr/configs/jasper_an4.yaml \\
        --load_dir <folder with JasperEncoder-STEP-*.pt> tests/data/an4/wav/an46-mmap-b.wav [more files]
        [--lm_path an4_3gram.arpa --alpha 1.0 --beta 1.0] [--window_s 20 --overlap_s 4]

Recordings longer than ``--window_s`` are transcribed in overlapping windows and merged.
"""
import argparse
import json

import nemo_asr
from asr_common import AsrModel, load_model_config
from nemo_asr.transcriber import Transcriber, newest_checkpoint


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("audio", nargs="+", help="audio files")
    parser.add_argument("--model_config", required=True, help="the YAML the checkpoints were trained with")
    parser.add_argument("--load_dir", required=True, help="folder with the module checkpoints")
    parser.add_argument("--lm_path", default=None, help="ARPA n-gram LM for beam search (greedy without)")
    parser.add_argument("--beam_width", type=int, default=64)
    parser.add_argument("--alpha", type=float, default=1.0)
    parser.add_argument("--beta", type=float, default=1.0)
    parser.add_argument("--window_s", type=float, default=20.0, help="window length for long audio (seconds)")
    parser.add_argument("--overlap_s", type=float, default=4.0, help="overlap of consecutive windows (seconds)")
    parser.add_argument("--json", action="store_true", help="print one JSON object per file")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    model = AsrModel(load_model_config(args.model_config))
    for module, stem in ((model.encoder, "JasperEncoder"), (model.decoder, "JasperDecoderForCTC")):
        module.restore_from(newest_checkpoint(args.load_dir, stem))
    beam = None
    if args.lm_path:
        beam = nemo_asr.BeamSearchDecoderWithLM(vocab=model.labels, beam_width=args.beam_width, alpha=args.alpha,
                                                beta=args.beta, lm_path=args.lm_path)
    transcriber = Transcriber(model.preprocessor, model.encoder, model.decoder, model.labels, beam_search=beam,
                              window_s=args.window_s, overlap_s=args.overlap_s)
    results = transcriber.transcribe(args.audio)
    for path, result in zip(args.audio, results):
        if args.json:
            print(json.dumps({"audio_filepath": path, "text": result.text,
                              "words": [{"word": w.word, "start": round(w.start, 3), "end": round(w.end, 3)}
                                        for w in result.words]}))
            continue
        print(f"{path}: {result.text}")
        for word in result.words:
            print(f"  {word.start:8.2f} {word.end:8.2f}  {word.word}")
    return results


if __name__ == "__main__":
    main()
