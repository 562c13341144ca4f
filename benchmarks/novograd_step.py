"""Novograd optimizer step on the parameters of QuartzNet 15x5 (18.9M weights, ~300 tensors).

Times ``Novograd.step`` (batched ``torch._foreach_*`` updates) against
``torch.optim.Adam(foreach=True)`` and ``torch.optim.Adam(foreach=False)`` (one
update per tensor) on the same parameters and gradients, in interleaved rounds,
CPU time with one thread; prints medians, their spread and the ratios.

    python benchmarks/novograd_step.py [--rounds 7 --steps 10 --config examples/asr/configs/quartznet15x5.yaml]
"""

import argparse
import os
import statistics
import time

import torch
from ruamel.yaml import YAML

from nemo.backends.pytorch.optimizers import Novograd

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))


def encoder_parameters(config_path):
    """Parameters of the config's JasperEncoder and JasperDecoderForCTC, with random gradients."""
    import nemo_asr

    with open(config_path, encoding="utf-8") as handle:
        config = YAML(typ="safe").load(handle)
    encoder = nemo_asr.JasperEncoder(
        feat_in=config["AudioToMelSpectrogramPreprocessor"]["features"], **config["JasperEncoder"]
    )
    decoder = nemo_asr.JasperDecoderForCTC(
        feat_in=config["JasperEncoder"]["jasper"][-1]["filters"], num_classes=len(config["labels"])
    )
    params = list(encoder.parameters()) + list(decoder.parameters())
    generator = torch.Generator().manual_seed(0)
    for param in params:
        param.grad = torch.randn(param.shape, generator=generator) * 1e-3
    return params


def time_steps(optimizer, steps):
    started = time.process_time()
    for _ in range(steps):
        optimizer.step()
    return (time.process_time() - started) / steps


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", default=os.path.join(ROOT, "examples", "asr", "configs", "quartznet15x5.yaml"))
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    params = encoder_parameters(args.config)
    optimizers = {
        "novograd": Novograd(params, lr=1e-6, weight_decay=1e-3),
        "adam_foreach": torch.optim.Adam(params, lr=1e-6, foreach=True),
        "adam_per_tensor": torch.optim.Adam(params, lr=1e-6, foreach=False),
    }
    for optimizer in optimizers.values():
        time_steps(optimizer, 2)  # warm-up: allocate state
    times = {name: [] for name in optimizers}
    for _ in range(args.rounds):
        for name, optimizer in optimizers.items():
            times[name].append(time_steps(optimizer, args.steps))
    print(f"{len(params)} tensors, {sum(p.numel() for p in params) / 1e6:.2f}M weights, {args.threads} thread(s)")
    for name, values in times.items():
        print(f"{name:16s} median {1000 * statistics.median(values):7.2f} ms/step "
              f"(min {1000 * min(values):.2f}, max {1000 * max(values):.2f})")
    novograd = statistics.median(times["novograd"])
    for reference in ("adam_foreach", "adam_per_tensor"):
        print(f"novograd / {reference}: {novograd / statistics.median(times[reference]):.3f}")


if __name__ == "__main__":
    main()
