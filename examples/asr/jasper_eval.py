"""Grid-search the LM weight (alpha) and word bonus (beta) of beam-search decoding on a dev set.

    python examples/asr/jasper_eval.py --model_config examples/asr/configs/jasper_an4.yaml \\
        --eval_datasets tests/data/an4/test_manifest.json --load_dir <checkpoints> --lm_path an4_3gram.arpa \\
        --alpha_from 0.5 --alpha_to 2.5 --alpha_steps 5 --beta_from 0 --beta_to 2 --beta_steps 5

The acoustic model runs once; every (alpha, beta) pair re-decodes its log-probs. Prints the WER of
each pair, then the best pair and the greedy WER for comparison.
"""

import os

import numpy as np

import nemo
import nemo_asr
from asr_common import AN4, AsrModel, data_layer_params, load_model_config
from nemo.utils import NemoArgParser
from nemo_asr.helpers import post_process_predictions, post_process_transcripts, word_error_rate
from nemo_asr.parts.ctc_beam_search import CTCBeamSearch


def parse_args(argv=None):
    parser = NemoArgParser(description="Alpha/beta grid search for LM beam-search decoding")
    parser.set_defaults(eval_datasets=[os.path.join(AN4, "test_manifest.json")], batch_size=32)
    parser.add_argument("--load_dir", type=str, required=True, help="folder with the module checkpoints")
    parser.add_argument("--lm_path", type=str, required=True, help="ARPA (or KenLM binary) n-gram LM")
    parser.add_argument("--beam_width", type=int, default=64)
    for name, low, high in (("alpha", 0.5, 2.5), ("beta", 0.0, 2.0)):
        parser.add_argument(f"--{name}_from", type=float, default=low)
        parser.add_argument(f"--{name}_to", type=float, default=high)
        parser.add_argument(f"--{name}_steps", type=int, default=5)
    args = parser.parse_args(argv)
    if args.model_config is None:
        parser.error("give --model_config (the YAML the checkpoints were trained with)")
    if not os.path.isfile(args.lm_path):
        parser.error(f"--lm_path {args.lm_path} is not a file")
    return args


def main(argv=None):
    args = parse_args(argv)
    nf = nemo.core.NeuralModuleFactory(local_rank=args.local_rank, cudnn_benchmark=args.cudnn_benchmark)
    config = load_model_config(args.model_config)
    model = AsrModel(config)
    data_layer = nemo_asr.AudioToTextDataLayer(manifest_filepath=args.eval_datasets, labels=model.labels,
                                               batch_size=args.batch_size, num_workers=args.num_workers,
                                               **data_layer_params(config, "eval"))
    log_probs, encoded_len, predictions, transcripts, transcript_len = model.inference_dag(data_layer)
    values = nf.infer([log_probs, encoded_len, predictions, transcripts, transcript_len], checkpoint_dir=args.load_dir)
    utterances = [lp[: int(n)].numpy() for batch, lens in zip(values[0], values[1]) for lp, n in zip(batch, lens)]
    references = post_process_transcripts(values[3], values[4], model.labels)
    greedy = word_error_rate(post_process_predictions(values[2], model.labels), references)
    search = CTCBeamSearch(model.labels, beam_width=args.beam_width, lm_path=args.lm_path)
    grid = {}
    for alpha in np.linspace(args.alpha_from, args.alpha_to, args.alpha_steps):
        for beta in np.linspace(args.beta_from, args.beta_to, args.beta_steps):
            search.set_weights(alpha, beta)
            hypotheses = [search.decode(utt)[0][1] for utt in utterances]
            grid[(float(alpha), float(beta))] = word_error_rate(hypotheses, references)
            print(f"alpha {alpha:.3f} beta {beta:.3f}: WER {grid[(float(alpha), float(beta))]:.2%}")
    (alpha, beta), wer = min(grid.items(), key=lambda item: (item[1], item[0]))
    print(f"best: alpha {alpha:.3f} beta {beta:.3f} WER {wer:.2%} (greedy WER {greedy:.2%}, "
          f"{len(references)} utterances)")
    return {"alpha": alpha, "beta": beta, "wer": wer, "greedy_wer": greedy, "grid": grid}


if __name__ == "__main__":
    main()
