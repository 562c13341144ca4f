"""Speech classification speed: ``nf.train`` vs a hand-written loop, and VAD real-time factor.

1. MatchboxNet 3x1x64 (``quartznet_speech_commands_3x1_v1.yaml``, 77K weights) trained on the ten
   bundled Speech Commands clips (1 s each): the same modules, batches (dataset, batch size,
   order), optimizer (Adam) and steps, once through ``nf.train`` and once through a hand-written
   PyTorch loop. Rounds alternate in one process; CPU time (``time.process_time``), one thread;
   the median and spread of the per-round time ratios framework / hand-written are printed.
2. Frame VAD (``quartznet_vad_3x1.yaml``, 0.63 s windows every ``--shift`` s) on a long recording
   made of the bundled clips and noise: CPU seconds per second of audio (real-time factor).

    python benchmarks/speech_classification.py [--rounds 5 --steps 10 --vad_seconds 60 --shift 0.01]
"""

import argparse
import os
import statistics
import sys
import time

import numpy as np
import soundfile as sf
import torch

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "examples", "asr"))

import nemo  # noqa: E402
from classification_common import ClassificationModel, load_config  # noqa: E402
from nemo_asr.frame_vad import FrameVAD  # noqa: E402

SC = os.path.join(ROOT, "tests", "data", "speech_commands")
CONFIGS = os.path.join(ROOT, "examples", "asr", "configs")
MANIFESTS = ",".join(os.path.join(SC, f"{s}_manifest.json") for s in ("train", "test"))


def build(config):
    model = ClassificationModel(config, labels=["cat", "dog"])
    layer = model.data_layer(MANIFESTS, 10, train=True, num_workers=0, shuffle=False, time_length=1.0)
    return model, layer


def framework_run(config, steps, seed):
    nf = nemo.core.NeuralModuleFactory(random_seed=seed, create_tb_writer=False)
    model, layer = build(config)
    loss = model.dag(layer, train=True)[0]
    started = time.process_time()
    nf.train([loss], optimizer="adam", optimization_params={"max_steps": steps, "lr": 0.01})
    return time.process_time() - started


def hand_run(config, steps, seed):
    torch.manual_seed(seed)
    model, layer = build(config)
    batches = list(torch.utils.data.DataLoader(layer.dataset, batch_size=10, collate_fn=layer.dataset.collate_fn))
    modules = [model.preprocessor, model.spec_augment, model.crop, model.encoder, model.decoder]
    params = [p for m in (model.encoder, model.decoder) for p in m.parameters()]
    optimizer = torch.optim.Adam(params, lr=0.01)
    for module in modules:
        module.train()
    started = time.process_time()
    for step in range(steps):
        audio, audio_len, label, _ = batches[step % len(batches)]
        spec, spec_len = model.preprocessor(audio, audio_len)
        spec = model.spec_augment(spec)
        spec, spec_len = model.crop(spec, spec_len)
        encoded, encoded_len = model.encoder(spec, spec_len)
        loss = torch.nn.functional.cross_entropy(model.decoder(encoded, encoded_len), label)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    return time.process_time() - started


def vad_rtf(seconds, shift):
    nemo.core.NeuralModuleFactory(random_seed=0, create_tb_writer=False)
    model = ClassificationModel(load_config(os.path.join(CONFIGS, "quartznet_vad_3x1.yaml")))
    rng = np.random.default_rng(0)
    pieces = []
    clips = [os.path.join(SC, d, f) for d in ("cat", "dog") for f in sorted(os.listdir(os.path.join(SC, d)))]
    while sum(len(p) for p in pieces) < seconds * 16000:
        pieces.append(sf.read(clips[len(pieces) % len(clips)], dtype="float32")[0])
        pieces.append((0.01 * rng.standard_normal(16000)).astype(np.float32))
    audio = torch.from_numpy(np.concatenate(pieces)[: seconds * 16000])
    vad = FrameVAD(model.preprocessor, model.encoder, model.decoder, crop=model.crop, window=0.63, shift=shift)
    started = time.process_time()
    vad.segments(audio)
    return (time.process_time() - started) / seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--vad_seconds", type=int, default=60)
    parser.add_argument("--shift", type=float, default=0.01)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    config = load_config(os.path.join(CONFIGS, "quartznet_speech_commands_3x1_v1.yaml"))
    framework_run(config, 2, 0), hand_run(config, 2, 0)          # warm-up
    ratios, fw_times, hand_times = [], [], []
    for round_index in range(args.rounds):
        fw, hand = framework_run(config, args.steps, round_index), hand_run(config, args.steps, round_index)
        fw_times.append(fw)
        hand_times.append(hand)
        ratios.append(fw / hand)
    print(f"MatchboxNet 3x1x64 training, {args.steps} steps of 10 clips, {args.threads} thread(s), {args.rounds} rounds:")
    print(f"  nf.train       {args.steps / statistics.median(fw_times):.2f} steps/s (CPU)")
    print(f"  hand-written   {args.steps / statistics.median(hand_times):.2f} steps/s (CPU)")
    print(f"  time ratio framework / hand-written: median {statistics.median(ratios):.3f}, "
          f"min {min(ratios):.3f}, max {max(ratios):.3f}")
    rtf = vad_rtf(args.vad_seconds, args.shift)
    print(f"Frame VAD (0.63 s windows every {args.shift} s) on {args.vad_seconds} s of audio: real-time factor "
          f"{rtf:.4f} (CPU s per audio s), {1 / rtf:.1f}x faster than real time")


if __name__ == "__main__":
    main()
