"""Evaluate trained Jasper/QuartzNet checkpoints: greedy WER, and beam-search WER with an n-gram LM.

    python examples/asr/jasper_infer.py --model_config examples/asr/configs/jasper_an4.yaml \\
        --eval_datasets tests/data/an4/test_manifest.json --load_dir <folder with JasperEncoder-STEP-*.pt> \\
        --lm_path an4_3gram.arpa --beam_width 64 --alpha 1.0 --beta 1.0

The newest ``JasperEncoder-STEP-*.pt`` and ``JasperDecoderForCTC-STEP-*.pt`` in ``--load_dir`` are
restored. Without ``--lm_path`` decoding is greedy CTC; with it, greedy and beam WER are printed
side by side (``scripts/build_lm.py`` builds an ARPA LM; KenLM binaries need ``kenlm``).
"""

import os

import nemo
import nemo_asr
from asr_common import AN4, AsrModel, data_layer_params, load_model_config, manifest_tag
from nemo.utils import NemoArgParser
from nemo_asr.helpers import post_process_predictions, post_process_transcripts, word_error_rate


def parse_args(argv=None):
    parser = NemoArgParser(description="Greedy and LM beam-search inference with trained Jasper/QuartzNet checkpoints")
    parser.set_defaults(eval_datasets=[os.path.join(AN4, "test_manifest.json")], batch_size=32)
    parser.add_argument("--load_dir", type=str, required=True, help="folder with the module checkpoints")
    parser.add_argument("--lm_path", type=str, default=None, help="ARPA (or KenLM binary) n-gram LM for beam search")
    parser.add_argument("--beam_width", type=int, default=128, help="beams kept per frame")
    parser.add_argument("--alpha", type=float, default=2.0, help="LM weight")
    parser.add_argument("--beta", type=float, default=1.5, help="word insertion bonus")
    parser.add_argument("--num_transcripts", type=int, default=5, help="reference/prediction pairs to print")
    args = parser.parse_args(argv)
    if args.model_config is None:
        parser.error("give --model_config (the YAML the checkpoints were trained with)")
    if not os.path.isdir(args.load_dir):
        parser.error(f"--load_dir {args.load_dir} is not a folder")
    if args.lm_path and not os.path.isfile(args.lm_path):
        parser.error(f"--lm_path {args.lm_path} is not a file")
    return args


def main(argv=None):
    args = parse_args(argv)
    nf = nemo.core.NeuralModuleFactory(local_rank=args.local_rank, optimization_level=args.amp_opt_level,
                                       cudnn_benchmark=args.cudnn_benchmark)
    config = load_model_config(args.model_config)
    model = AsrModel(config)
    beam_search = None
    if args.lm_path:
        beam_search = nemo_asr.BeamSearchDecoderWithLM(vocab=model.labels, beam_width=args.beam_width,
                                                       alpha=args.alpha, beta=args.beta, lm_path=args.lm_path)
    results = {}
    for index, manifest in enumerate(args.eval_datasets):
        data_layer = nemo_asr.AudioToTextDataLayer(manifest_filepath=manifest, labels=model.labels,
                                                   batch_size=args.batch_size, num_workers=args.num_workers,
                                                   **data_layer_params(config, "eval"))
        log_probs, encoded_len, predictions, transcripts, transcript_len = model.inference_dag(data_layer)
        tensors = [predictions, transcripts, transcript_len]
        if beam_search is not None:
            tensors.append(beam_search(log_probs=log_probs, log_probs_length=encoded_len))
        # The encoder and decoder are shared by every manifest's DAG: restore their weights once.
        values = nf.infer(tensors, checkpoint_dir=args.load_dir if index == 0 else None)
        if nf.global_rank != 0:
            continue
        references = post_process_transcripts(values[1], values[2], model.labels)
        hypotheses = {"greedy": post_process_predictions(values[0], model.labels)}
        if beam_search is not None:
            hypotheses["beam"] = [utt[0][1] for batch in values[3] for utt in batch]
        wers = {kind: word_error_rate(hyps, references) for kind, hyps in hypotheses.items()}
        results[manifest_tag(manifest)] = wers
        print(f"{manifest_tag(manifest)}: " + ", ".join(f"{kind} WER {wer:.2%}" for kind, wer in wers.items())
              + f" over {len(references)} utterances")
        for i, reference in enumerate(references[: args.num_transcripts]):
            print(f"  reference: {reference!r}  " + "  ".join(f"{k}: {h[i]!r}" for k, h in hypotheses.items()))
    return results


if __name__ == "__main__":
    main()
