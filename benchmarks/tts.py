"""Tacotron 2 tiny on the bundled tts_slt sample: ``nf.train`` vs a hand-written loop, and synthesis speed.

1. Training steps: ``nf.train`` and a hand-written PyTorch loop calling the same modules (mel front
   end, embedding, encoder, decoder, postnet, gate targets, Tacotron 2 loss, guided attention) on
   the same batches in the same order with the same optimizer (Adam, gradient clipping). Runs
   alternate in one process; CPU time (``time.process_time``) per run; the median and spread of the
   per-round ratios framework / hand-written are printed (target: at most 1.05).
2. Inference real-time factor (compute seconds per second of audio, lower is faster) on the
   validation sentences: Tacotron 2 free-running mel generation (with ``--tacotron2_load_dir``
   a trained model that stops by itself; else every sentence runs to the reference length cap),
   Griffin-Lim (32 iterations) on the reference mels, and the tiny WaveGlow (random weights: the
   cost does not depend on them).

    python benchmarks/tts.py [--rounds 5 --steps 20 --threads 1 \
        --tacotron2_load_dir tacotron2_exp/Tacotron2/checkpoints]
"""

import argparse
import os
import statistics
import sys
import time

import torch

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "examples", "tts"))

import nemo  # noqa: E402
import nemo_tts  # noqa: E402
from nemo_tts.helpers import MelSettings  # noqa: E402
from tts_common import HERE, TTS_SLT, Tacotron2Model, load_config, text_data_layer  # noqa: E402
from tts_infer import restore_latest  # noqa: E402

LR, WEIGHT_DECAY, CLIP = 3e-3, 1e-6, 1.0


def framework_run(nf, losses, steps):
    started = time.process_time()
    nf.train(losses, optimizer="adam", reset=True,
             optimization_params={"max_steps": steps, "lr": LR, "weight_decay": WEIGHT_DECAY, "grad_norm_clip": CLIP})
    return time.process_time() - started


def manual_loss(model, audio, audio_len, transcript, transcript_len):
    mel, mel_len = model.preprocessor(audio, audio_len)
    encoded = model.encoder(model.text_embedding(transcript), transcript_len)
    mel_decoder, gate, alignments = model.decoder(encoded, transcript_len, mel)
    loss = model.loss(mel_out=mel_decoder, mel_out_postnet=model.postnet(mel_decoder), gate_out=gate, mel_target=mel,
                      gate_target=model.make_gate(mel_len, mel), target_len=mel_len, seq_len=audio_len)
    return loss + model.guided_attention(alignments=alignments, encoded_length=transcript_len, target_len=mel_len)


def manual_run(model, layer, steps):
    started = time.process_time()
    params = [p for module in model.trainables for p in module.parameters()]
    optimizer = torch.optim.Adam(params, lr=LR, weight_decay=WEIGHT_DECAY)
    for module in model.trainables:
        module.train()
    dataset = layer.dataset
    loader = torch.utils.data.DataLoader(dataset, batch_size=layer.batch_size, shuffle=False,
                                         collate_fn=dataset.collate_fn)
    step = 0
    while step < steps:
        for batch in loader:
            manual_loss(model, *batch).backward()
            torch.nn.utils.clip_grad_norm_(params, CLIP)
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            step += 1
            if step == steps:
                break
    return time.process_time() - started


def training_ratio(config, rounds, steps, batch_size):
    nf = nemo.core.NeuralModuleFactory(random_seed=0, create_tb_writer=False)
    model = Tacotron2Model(config)
    layer = text_data_layer(config, os.path.join(TTS_SLT, "train_manifest.json"), batch_size, "train", shuffle=False)
    losses = model.dag(layer)["losses"]
    ratios, framework, manual = [], [], []
    for index in range(rounds):
        if index % 2 == 0:
            first = framework_run(nf, losses, steps)
            second = manual_run(model, layer, steps)
        else:
            second = manual_run(model, layer, steps)
            first = framework_run(nf, losses, steps)
        framework.append(first)
        manual.append(second)
        ratios.append(first / second)
        print(f"round {index}: framework {steps / first:.2f} steps/s, hand-written {steps / second:.2f} steps/s, "
              f"ratio {first / second:.3f}", flush=True)
    print(f"Training (CPU time, {steps} steps x {rounds} rounds, batch {batch_size}): framework "
          f"{steps / statistics.median(framework):.2f} steps/s, hand-written {steps / statistics.median(manual):.2f} "
          f"steps/s; ratio median {statistics.median(ratios):.3f} (min {min(ratios):.3f}, max {max(ratios):.3f})")


def reference_batches(config, batch_size):
    layer = text_data_layer(config, os.path.join(TTS_SLT, "val_manifest.json"), batch_size, "eval")
    dataset = layer.dataset
    return [dataset.collate_fn([dataset[i] for i in range(start, min(start + batch_size, len(dataset)))])
            for start in range(0, len(dataset), batch_size)]


def inference_rtf(config, load_dir, waveglow_config):
    model = Tacotron2Model(config)
    batches = reference_batches(config, 10)
    mels = []
    with torch.no_grad():
        for audio, audio_len, _, _ in batches:
            mel, mel_len = model.preprocessor(audio, audio_len)
            mels += [mel[b, :, : mel_len[b]] for b in range(mel.shape[0])]
    settings = MelSettings(**config["AudioToMelSpectrogramPreprocessor"])
    audio_seconds = sum(m.shape[1] for m in mels) * settings.hop_length / settings.sample_rate

    decoder = model.inference_decoder()
    if load_dir:
        for module in (model.text_embedding, model.encoder, model.postnet):
            restore_latest(module, load_dir)
        restore_latest(decoder, load_dir, "Tacotron2Decoder")
    else:  # untrained: run every sentence to the longest reference length instead of trusting its gate
        decoder.decoder.max_decoder_steps = -(-max(m.shape[1] for m in mels) // decoder.decoder.n_frames_per_step)
        decoder.decoder.gate_threshold = float("inf")
    for module in model.trainables + [decoder]:
        module.eval()
    started = time.process_time()
    generated = 0
    with torch.no_grad():
        for _, _, transcript, transcript_len in batches:
            encoded = model.encoder(model.text_embedding(transcript), transcript_len)
            mel, _, _, mel_len = decoder(encoded, transcript_len)
            model.postnet(mel)
            generated += int(mel_len.sum())
    spent = time.process_time() - started
    generated_seconds = generated * settings.hop_length / settings.sample_rate
    print(f"Tacotron 2 tiny mel generation: RTF {spent / generated_seconds:.3f} "
          f"({generated_seconds:.1f} s of speech{'' if load_dir else ', untrained, length-capped'})")

    started = time.process_time()
    for mel in mels:
        settings.griffin_lim(mel)
    print(f"Griffin-Lim (32 iterations): RTF {(time.process_time() - started) / audio_seconds:.3f} "
          f"({audio_seconds:.1f} s of audio)")

    waveglow = nemo_tts.WaveGlowInferNM(sigma=0.6, **waveglow_config["WaveGlowNM"]).eval()
    started = time.process_time()
    with torch.no_grad():
        for mel in mels:
            waveglow(mel_spectrogram=mel[None])
    print(f"WaveGlow tiny ({waveglow.num_weights / 1e6:.1f}M weights): RTF "
          f"{(time.process_time() - started) / audio_seconds:.3f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", default=os.path.join(HERE, "configs", "tacotron2_tiny.yaml"))
    parser.add_argument("--waveglow_config", default=os.path.join(HERE, "configs", "waveglow_tiny.yaml"))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=20, help="optimizer steps per timed run")
    parser.add_argument("--batch_size", type=int, default=16)
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (0: torch's default)")
    parser.add_argument("--tacotron2_load_dir", default=None, help="trained Tacotron 2 checkpoints (optional)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    config = load_config(args.config)
    training_ratio(config, args.rounds, args.steps, args.batch_size)
    inference_rtf(config, args.tacotron2_load_dir, load_config(args.waveglow_config, required=("WaveGlowNM",)))


if __name__ == "__main__":
    main()
