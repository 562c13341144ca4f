"""Evaluate trained Jasper/QuartzNet checkpoints: WER and a few transcripts per manifest.

    python examples/asr/jasper_infer.py --model_config examples/asr/configs/jasper15x5SEP.yaml \\
        --eval_datasets data/dev_clean.json --load_dir <folder with JasperEncoder-STEP-*.pt>

The newest ``JasperEncoder-STEP-*.pt`` and ``JasperDecoderForCTC-STEP-*.pt`` in
``--load_dir`` are restored. Decoding is greedy CTC.
"""

import os

import nemo
import nemo_asr
from asr_common import AN4, AsrModel, data_layer_params, load_model_config, manifest_tag
from nemo.utils import NemoArgParser
from nemo_asr.helpers import post_process_predictions, post_process_transcripts, word_error_rate


def parse_args(argv=None):
    parser = NemoArgParser(description="Greedy CTC inference and WER with trained Jasper/QuartzNet checkpoints")
    parser.set_defaults(eval_datasets=[os.path.join(AN4, "test_manifest.json")], batch_size=32)
    parser.add_argument("--load_dir", type=str, required=True, help="folder with the module checkpoints")
    parser.add_argument("--lm_path", type=str, default=None,
                        help="KenLM model for beam search (needs the ctc_decoders package; greedy otherwise)")
    parser.add_argument("--num_transcripts", type=int, default=5, help="reference/prediction pairs to print")
    args = parser.parse_args(argv)
    if args.model_config is None:
        parser.error("give --model_config (the YAML the checkpoints were trained with)")
    if not os.path.isdir(args.load_dir):
        parser.error(f"--load_dir {args.load_dir} is not a folder")
    return args


def main():
    args = parse_args()
    nf = nemo.core.NeuralModuleFactory(local_rank=args.local_rank, optimization_level=args.amp_opt_level,
                                       cudnn_benchmark=args.cudnn_benchmark)
    if args.lm_path:
        print(f"--lm_path {args.lm_path}: LM beam-search decoding needs the ctc_decoders package (Baidu's CTC "
              "decoders with KenLM), which is not available; falling back to greedy decoding")
    config = load_model_config(args.model_config)
    model = AsrModel(config)
    for index, manifest in enumerate(args.eval_datasets):
        data_layer = nemo_asr.AudioToTextDataLayer(manifest_filepath=manifest, labels=model.labels,
                                                   batch_size=args.batch_size, num_workers=args.num_workers,
                                                   **data_layer_params(config, "eval"))
        _, predictions, transcripts, transcript_len = model.dag(data_layer, train=False)
        # The encoder and decoder are shared by every manifest's DAG: restore their weights once.
        pred_values, text_values, len_values = nf.infer([predictions, transcripts, transcript_len],
                                                        checkpoint_dir=args.load_dir if index == 0 else None)
        if nf.global_rank != 0:
            continue
        hypotheses = post_process_predictions(pred_values, model.labels)
        references = post_process_transcripts(text_values, len_values, model.labels)
        wer = word_error_rate(hypotheses, references)
        print(f"{manifest_tag(manifest)}: WER {wer:.2%} over {len(references)} utterances (greedy decoding)")
        for reference, hypothesis in list(zip(references, hypotheses))[: args.num_transcripts]:
            print(f"  reference:  {reference!r}\n  prediction: {hypothesis!r}")


if __name__ == "__main__":
    main()
