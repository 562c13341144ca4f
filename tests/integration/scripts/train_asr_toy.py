"""Train a tiny CTC model on AN4 speech with dither, SpecAugment, SpecCutout and dropout.

Launched by the ASR resume and evaluation tests as ``python`` or ``torchrun``. Each rank
writes ``<out>/rank<r>.pt`` with its final weights, the step reached and the results of
with ``--eval_batch_size``, instead of training, the evaluation of the initial weights on the
AN4 test manifest through ``nemo_asr.helpers`` (batches of every rank, as EvaluatorCallback gathers them).
"""

import os
from functools import partial
from pathlib import Path

import torch

import nemo
import nemo_asr
from nemo_asr.helpers import process_evaluation_batch, process_evaluation_epoch

AN4 = Path(__file__).resolve().parents[2] / "data" / "an4"
LABELS = list(" abcdefghijklmnopqrstuvwxyz'")
ENCODER = [dict(filters=16, repeat=1, kernel=[11], stride=[2], dilation=[1], dropout=0.2, residual=False,
                separable=True)]


def _graph(manifest, batch_size, shuffle, modules, augment=None):
    """Data layer -> features (-> augmentation) -> encoder -> decoder -> CTC loss."""
    preprocessor, encoder, decoder, ctc = modules
    layer = nemo_asr.AudioToTextDataLayer(manifest_filepath=str(manifest), labels=LABELS, batch_size=batch_size,
                                          shuffle=shuffle, num_workers=0)
    audio, audio_len, transcripts, transcript_len = layer()
    spec, spec_len = preprocessor(input_signal=audio, length=audio_len)
    if augment is not None:
        spec = augment(input_spec=spec)
    encoded, encoded_len = encoder(audio_signal=spec, length=spec_len)
    log_probs = decoder(encoder_output=encoded)
    loss = ctc(log_probs=log_probs, targets=transcripts, input_length=encoded_len, target_length=transcript_len)
    predictions = nemo_asr.GreedyCTCDecoder()(log_probs=log_probs)
    return loss, predictions, transcripts, transcript_len


def main():
    parser = nemo.utils.NemoArgParser(description="tiny AN4 CTC training for the ASR resume/evaluation tests")
    parser.add_argument("--out", required=True)
    parser.add_argument("--dither", type=float, default=1e-2)
    args = parser.parse_args()

    nf = nemo.core.NeuralModuleFactory(
        local_rank=args.local_rank, placement=nemo.core.DeviceType.CPU, random_seed=args.random_seed,
        checkpoint_dir=args.checkpoint_dir,
    )
    modules = (
        nemo_asr.AudioToMelSpectrogramPreprocessor(features=32, n_fft=512, dither=args.dither),
        nemo_asr.JasperEncoder(jasper=ENCODER, activation="relu", feat_in=32),
        nemo_asr.JasperDecoderForCTC(feat_in=16, num_classes=len(LABELS)),
        nemo_asr.CTCLossNM(num_classes=len(LABELS)),
    )
    augment = nemo_asr.SpectrogramAugmentation(freq_masks=2, time_masks=2, freq_width=6, time_width=0.2,
                                               rect_masks=2, rect_time=8, rect_freq=6)
    loss = _graph(AN4 / "train_manifest.json", args.batch_size, True, modules, augment)[0]

    evaluation = None
    if args.eval_batch_size:  # evaluate the initial weights only, as EvaluatorCallback feeds the helpers
        evaluated = _graph(AN4 / "test_manifest.json", args.eval_batch_size, False, modules)
        values = nf.infer(list(evaluated), verbose=False)
        global_vars = {}
        for batch in zip(*values):
            tensors = {tensor.unique_name: [value] for tensor, value in zip(evaluated, batch)}
            process_evaluation_batch(tensors, global_vars, labels=LABELS)
        evaluation = dict(process_evaluation_epoch(global_vars), batches=len(values[0]))
    else:
        callbacks = []
        if args.checkpoint_dir:
            callbacks.append(nemo.core.CheckpointCallback(
                folder=args.checkpoint_dir, load_from_folder=args.load_dir, step_freq=args.checkpoint_save_freq))
        nf.train([loss], callbacks=callbacks, optimizer=args.optimizer,
                 optimization_params={"max_steps": args.max_steps, "lr": args.lr})

    os.makedirs(args.out, exist_ok=True)
    trained = [module for module in modules if isinstance(module, nemo.backends.pytorch.TrainableNM)]
    result = {
        "weights": torch.cat([p.detach().flatten() for m in trained for p in m.parameters()]),
        "step": nf.get_trainer().step,
        "evaluation": evaluation,
        "world_size": nf.world_size,
    }
    torch.save(result, os.path.join(args.out, f"rank{nf.global_rank}.pt"))


if __name__ == "__main__":
    main()
