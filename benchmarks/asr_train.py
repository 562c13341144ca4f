"""QuartzNet on AN4: ``nf.train`` vs a hand-written loop, data-layer throughput, inference speed.

1. Training steps/s through ``nf.train`` and through a hand-written PyTorch
   loop calling the same modules (preprocessing, SpecAugment, encoder, decoder,
   CTC loss) on the same batches (same dataset, batch size and order), with the
   same optimizer (Novograd) and lr policy. Runs alternate in one process; the
   median of the per-round time ratios is printed (target: at most 1.05).
2. Data-layer throughput: audio seconds (manifest durations) decoded and
   batched per second by iterating the data layer's DataLoader.
3. Inference speed: audio seconds per compute second (RTFx, the inverse of the
   real-time factor) of preprocessing + encoder + decoder in eval mode on
   batches already in memory.
4. Decoding speed: utterances/s of LM beam search (``BeamSearchDecoderWithLM``, a
   3-gram ARPA LM of the training transcripts, beam 64) and of greedy decoding
   on the same test-set log-probs (CPU time, interleaved rounds).
5. Tarred vs plain data layer: audio seconds per CPU second through
   ``TarredAudioToTextDataLayer`` (4 shards of the training set) and
   ``AudioToTextDataLayer``, interleaved rounds, and their ratio.

On a CPU the timings use one torch thread by default (``--threads``): on a
small shared VM, multi-threaded runs of the same work varied by over 10x from
run to run, hiding any difference between the two loops.

    python benchmarks/asr_train.py [--rounds 7 --steps 20 --batch_size 8 --threads 1 --config <model.yaml>]
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

import torch
from ruamel.yaml import YAML

import nemo
import nemo_asr
from nemo.backends.pytorch.optimizers import get_optimizer
from nemo.utils.lr_policies import CosineAnnealing

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
AN4 = os.path.join(ROOT, "tests", "data", "an4")
LR, WEIGHT_DECAY = 0.02, 1e-3


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


class QuartzNet:
    """Modules of a QuartzNet CTC model from a legacy config (decoder feat_in: last block's filters)."""

    def __init__(self, config):
        self.labels = config["labels"]
        self.preprocessor = nemo_asr.AudioToMelSpectrogramPreprocessor(**config["AudioToMelSpectrogramPreprocessor"])
        self.spec_augment = nemo_asr.SpectrogramAugmentation(**config["SpectrogramAugmentation"])
        features = config["AudioToMelSpectrogramPreprocessor"].get("features", 64)
        self.encoder = nemo_asr.JasperEncoder(feat_in=features, **config["JasperEncoder"])
        self.decoder = nemo_asr.JasperDecoderForCTC(feat_in=config["JasperEncoder"]["jasper"][-1]["filters"],
                                                    num_classes=len(self.labels))
        self.ctc_loss = nemo_asr.CTCLossNM(num_classes=len(self.labels))
        self.all = [self.preprocessor, self.spec_augment, self.encoder, self.decoder, self.ctc_loss]

    def train_dag(self, data_layer):
        audio, audio_len, text, text_len = data_layer()
        spec, spec_len = self.preprocessor(input_signal=audio, length=audio_len)
        encoded, encoded_len = self.encoder(audio_signal=self.spec_augment(input_spec=spec), length=spec_len)
        return self.ctc_loss(log_probs=self.decoder(encoder_output=encoded), targets=text, input_length=encoded_len,
                             target_length=text_len)

    def loss(self, audio, audio_len, text, text_len):
        """The train DAG's loss, computed eagerly."""
        spec, spec_len = self.preprocessor(input_signal=audio, length=audio_len)
        encoded, encoded_len = self.encoder(audio_signal=self.spec_augment(input_spec=spec), length=spec_len)
        return self.ctc_loss(log_probs=self.decoder(encoder_output=encoded), targets=text, input_length=encoded_len,
                             target_length=text_len)

    def log_probs(self, audio, audio_len):
        spec, spec_len = self.preprocessor(input_signal=audio, length=audio_len)
        return self.decoder(encoder_output=self.encoder(audio_signal=spec, length=spec_len)[0])


def loader_of(data_layer):
    """A plain DataLoader over the data layer's dataset, in order."""
    dataset = data_layer.dataset
    return torch.utils.data.DataLoader(dataset, batch_size=data_layer.batch_size, shuffle=False,
                                       collate_fn=dataset.collate_fn, num_workers=data_layer.num_workers or 0)


def framework_run(nf, loss, steps):
    sync(nf.device)
    started = time.perf_counter()
    nf.train([loss], optimizer="novograd", lr_policy=CosineAnnealing(total_steps=steps),
             optimization_params={"max_steps": steps, "lr": LR, "weight_decay": WEIGHT_DECAY}, reset=True)
    sync(nf.device)
    return time.perf_counter() - started


def manual_run(model, data_layer, steps, device):
    sync(device)
    started = time.perf_counter()
    params = [p for m in (model.encoder, model.decoder) for p in m.parameters() if p.requires_grad]
    optimizer = get_optimizer("novograd", params, LR, weight_decay=WEIGHT_DECAY)
    policy = CosineAnnealing(total_steps=steps)
    for module in model.all:
        module.train()
    step = 0
    while step < steps:
        for batch in loader_of(data_layer):
            loss = model.loss(*(t.to(device, non_blocking=True) for t in batch))
            loss.backward()
            for group in optimizer.param_groups:
                group["lr"] = policy(LR, step, 0)
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            step += 1
            if step == steps:
                break
    sync(device)
    return time.perf_counter() - started


def data_throughput(data_layer, passes):
    """Audio seconds (manifest durations) per wall second over ``passes`` passes of the DataLoader."""
    started = time.perf_counter()
    for _ in range(passes):
        for _ in loader_of(data_layer):
            pass
    return passes * data_layer.dataset.total_duration / (time.perf_counter() - started)


def inference_rtfx(model, data_layer, device, passes):
    """Audio seconds per compute second of preprocessing + encoder + decoder, eval mode, batches in memory."""
    batches = [[t.to(device) for t in batch[:2]] for batch in loader_of(data_layer)]
    audio_seconds = sum(int(length.sum()) for _, length in batches) / data_layer.dataset.sample_rate
    for module in model.all:
        module.eval()
    with torch.inference_mode():
        model.log_probs(*batches[0])  # warm-up
        sync(device)
        started = time.perf_counter()
        for _ in range(passes):
            for audio, audio_len in batches:
                model.log_probs(audio, audio_len)
        sync(device)
    return passes * audio_seconds / (time.perf_counter() - started)


def decoding_speed(model, data_layer, lm_path, rounds):
    """Utterances per CPU second of beam search with the LM and of greedy decoding, median over rounds."""
    from nemo_asr.helpers import post_process_predictions

    outputs = []
    with torch.inference_mode():
        for audio, audio_len, _, _ in loader_of(data_layer):
            spec, spec_len = model.preprocessor(input_signal=audio, length=audio_len)
            encoded, encoded_len = model.encoder(audio_signal=spec, length=spec_len)
            outputs.append((model.decoder(encoder_output=encoded), encoded_len))
    beam = nemo_asr.BeamSearchDecoderWithLM(vocab=model.labels, beam_width=64, alpha=1.0, beta=1.0, lm_path=lm_path)
    greedy = nemo_asr.GreedyCTCDecoder()
    count = sum(len(lp) for lp, _ in outputs)
    beam_rates, greedy_rates = [], []
    for _ in range(rounds):
        started = time.process_time()
        for log_probs, lengths in outputs:
            beam(log_probs=log_probs, log_probs_length=lengths)
        beam_rates.append(count / (time.process_time() - started))
        started = time.process_time()
        for log_probs, lengths in outputs:
            post_process_predictions([greedy(log_probs=log_probs, log_probs_length=lengths)], model.labels)
        greedy_rates.append(count / (time.process_time() - started))
    return statistics.median(beam_rates), statistics.median(greedy_rates)


def tarred_vs_plain(plain_layer, labels, rounds):
    """Audio seconds per CPU second through the tarred and the plain data layer (medians) and their ratio."""
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "convert_to_tarred_audio_dataset.py"),
                        "--manifest_path", os.path.join(AN4, "train_manifest.json"), "--target_dir", folder,
                        "--num_shards", "4"], check=True, capture_output=True)
        tarred = nemo_asr.TarredAudioToTextDataLayer(os.path.join(folder, "audio_{0..3}.tar"),
                                                     os.path.join(folder, "tarred_audio_manifest.json"), labels,
                                                     batch_size=plain_layer.batch_size, min_duration=None)
        seconds = plain_layer.dataset.total_duration
        tarred_rates, plain_rates, ratios = [], [], []
        for _ in range(rounds):
            started = time.process_time()
            for _ in tarred.data_iterator:
                pass
            tarred_rates.append(seconds / (time.process_time() - started))
            started = time.process_time()
            for _ in loader_of(plain_layer):
                pass
            plain_rates.append(seconds / (time.process_time() - started))
            ratios.append(tarred_rates[-1] / plain_rates[-1])
    return statistics.median(tarred_rates), statistics.median(plain_rates), statistics.median(ratios)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", default=os.path.join(ROOT, "examples", "asr", "configs", "quartznet_an4.yaml"))
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--steps", type=int, default=20, help="optimizer steps per timed run")
    parser.add_argument("--batch_size", type=int, default=8)
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (0: torch's default)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    with open(args.config) as handle:
        config = YAML(typ="safe").load(handle)
    nf = nemo.core.NeuralModuleFactory(random_seed=0)
    nf.logger.setLevel("WARNING")
    model = QuartzNet(config)
    layer_params = {k: v for k, v in config["AudioToTextDataLayer"].items() if k not in ("train", "eval")}
    layer_params.update(config["AudioToTextDataLayer"]["train"], shuffle=False)
    train_layer = nemo_asr.AudioToTextDataLayer(manifest_filepath=os.path.join(AN4, "train_manifest.json"),
                                                labels=model.labels, batch_size=args.batch_size, **layer_params)
    test_layer = nemo_asr.AudioToTextDataLayer(manifest_filepath=os.path.join(AN4, "test_manifest.json"),
                                               labels=model.labels, batch_size=args.batch_size, shuffle=False)
    loss = model.train_dag(train_layer)
    framework_run(nf, loss, 2)  # warm-up; also places the modules on the factory's device
    manual_run(model, train_layer, 2, nf.device)

    ratios, framework_times, manual_times = [], [], []
    for index in range(args.rounds):  # alternate which side runs first
        if index % 2:
            framework, manual = framework_run(nf, loss, args.steps), manual_run(model, train_layer, args.steps, nf.device)
        else:
            manual, framework = manual_run(model, train_layer, args.steps, nf.device), framework_run(nf, loss, args.steps)
        framework_times.append(framework)
        manual_times.append(manual)
        ratios.append(framework / manual)
    throughput = data_throughput(train_layer, passes=3)
    rtfx = inference_rtfx(model, test_layer, nf.device, passes=5)
    with tempfile.TemporaryDirectory() as folder:
        lm_path = os.path.join(folder, "an4_3gram.arpa")
        subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "build_lm.py"), "--manifest",
                        os.path.join(AN4, "train_manifest.json"), "--order", "3", "--out", lm_path],
                       check=True, capture_output=True)
        beam_rate, greedy_rate = decoding_speed(model, test_layer, lm_path, rounds=3)
    plain_layer = nemo_asr.AudioToTextDataLayer(manifest_filepath=os.path.join(AN4, "train_manifest.json"),
                                                labels=model.labels, batch_size=args.batch_size, shuffle=False,
                                                min_duration=None)
    tarred_rate, plain_rate, tar_ratio = tarred_vs_plain(plain_layer, model.labels, rounds=5)

    weights = model.encoder.num_weights + model.decoder.num_weights
    print(f"\n{os.path.basename(args.config)} ({weights / 1e6:.2f}M weights) on AN4 ({len(train_layer)} train / "
          f"{len(test_layer)} test utterances), batch {args.batch_size}, device {nf.device}, "
          f"{torch.get_num_threads()} torch threads")
    rows = [
        ("training steps/s, nf.train", f"{args.steps / statistics.median(framework_times):.2f}"),
        ("training steps/s, hand-written loop", f"{args.steps / statistics.median(manual_times):.2f}"),
        (f"time ratio nf.train / hand-written, median of {args.rounds}", f"{statistics.median(ratios):.3f}"),
        ("  per round", " ".join(f"{r:.3f}" for r in ratios)),
        ("data layer throughput, audio s / s", f"{throughput:.1f}"),
        ("inference RTFx (audio s / compute s)", f"{rtfx:.1f}"),
        ("beam search + 3-gram LM, utterances / CPU s", f"{beam_rate:.1f}"),
        ("greedy decoding, utterances / CPU s", f"{greedy_rate:.1f}"),
        ("tarred data layer, audio s / CPU s", f"{tarred_rate:.1f}"),
        ("plain data layer, audio s / CPU s", f"{plain_rate:.1f}"),
        ("tarred / plain throughput, median ratio", f"{tar_ratio:.2f}"),
    ]
    width = max(len(name) for name, _ in rows)
    print("-" * (width + 24))
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    print("-" * (width + 24))
    print(f"median ratio: {statistics.median(ratios):.3f} (target: at most 1.05)")


if __name__ == "__main__":
    main()
