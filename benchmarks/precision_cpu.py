"""O0 (fp32) vs O1 (bf16 autocast) vs O2 (bf16 weights, fp32 masters) step time on CPU.

A small conv net on 3x32x32 images, trained by ``nf.train`` at each level in
interleaved rounds; the best round counts (the machine may be shared). One
thread by default: on a small shared VM a slow second core stalls every
multi-threaded op and the table measures that, not the dtype. bf16 pays off only where the CPU has bf16 matrix units (AMX, or
AVX512-BF16 with a oneDNN kernel for the op); elsewhere the casts cost more
than they save, and the table says so. Usage: ``python benchmarks/precision_cpu.py``.
"""

import argparse
import statistics
import time

import torch
from torch import nn

import nemo
from nemo.backends.pytorch.tutorials import CrossEntropyLoss
from nemo.core.neural_types import ChannelType, LabelsType, LogitsType, NeuralType
from step_timer import StepTimer

WARMUP, STEPS, BATCH, ROUNDS = 2, 8, 64, 3


class Images(nemo.backends.pytorch.DataLayerNM):
    """Random images and labels. Output ports: ``image`` (B, C, H, W), ``label`` (B,)."""

    def __init__(self, n, batch_size):
        super().__init__(batch_size=batch_size)
        generator = torch.Generator().manual_seed(0)
        self._dataset = torch.utils.data.TensorDataset(
            torch.randn(n, 3, 32, 32, generator=generator), torch.randint(0, 10, (n,), generator=generator)
        )

    output_ports = property(lambda self: {"image": NeuralType(("B", "C", "H", "W"), ChannelType()),
                                          "label": NeuralType(tuple("B"), LabelsType())})
    dataset = property(lambda self: self._dataset)


class ConvNet(nemo.backends.pytorch.TrainableNM):
    """Three conv + batch-norm blocks and a classifier. Ports: ``image`` -> ``logits`` (B, 10)."""

    def __init__(self):
        super().__init__()
        blocks, channels = [], 3
        for width, stride in ((64, 1), (128, 2), (128, 2)):
            blocks += [nn.Conv2d(channels, width, 3, stride, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU()]
            channels = width
        self.features = nn.Sequential(*blocks, nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.classifier = nn.Linear(channels, 10)

    input_ports = property(lambda self: {"image": NeuralType(("B", "C", "H", "W"), ChannelType())})
    output_ports = property(lambda self: {"logits": NeuralType(("B", "D"), LogitsType())})

    def forward(self, image):
        return self.classifier(self.features(image))



def build(level):
    """A factory at ``level`` and the loss of a fresh ConvNet graph."""
    nf = nemo.core.NeuralModuleFactory(placement=nemo.core.DeviceType.CPU, optimization_level=level,
                                       random_seed=0, set_default=False)
    image, label = Images(BATCH * 8, BATCH)()
    return nf, CrossEntropyLoss()(predictions=ConvNet()(image=image), labels=label)


def step_time(nf, loss):
    """Median seconds per step of WARMUP + STEPS more training steps."""
    timer = StepTimer()
    steps = nf.get_trainer().step + WARMUP + STEPS + 1
    nf.train([loss], optimizer="sgd", callbacks=[timer], optimization_params={"max_steps": steps, "lr": 0.01})
    return statistics.median(b - a for a, b in zip(timer.stamps[WARMUP:], timer.stamps[WARMUP + 1:]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1: steadiest)")
    torch.set_num_threads(parser.parse_args().threads)
    started = time.perf_counter()
    setups = {level: build(level) for level in ("O0", "O1", "O2")}
    rounds = {level: [] for level in setups}
    for _ in range(ROUNDS):  # interleaved, so a busy spell of the machine hits every level
        for level, setup in setups.items():
            rounds[level].append(step_time(*setup))
    times = {level: min(values) for level, values in rounds.items()}
    print(f"\nConvNet (3 conv blocks, 64-128 channels) on 3x32x32, batch {BATCH}, SGD, "
          f"threads: {torch.get_num_threads()}; best of {ROUNDS} interleaved rounds of {STEPS} steps (median)\n")
    print(f"{'level':<6} {'dtype':<9} {'ms/step':>9} {'worst round':>12} {'speed-up vs O0':>15}")
    for level, value in times.items():
        dtype = "float32" if level == "O0" else "bfloat16"
        print(f"{level:<6} {dtype:<9} {value * 1e3:>9.1f} {max(rounds[level]) * 1e3:>12.1f} "
              f"{times['O0'] / value:>15.2f}")
    print(f"\nO1/O0 step-time ratio = {times['O1'] / times['O0']:.2f} (below 1: bf16 is faster here); "
          f"wall time {time.perf_counter() - started:.0f} s")

if __name__ == "__main__":
    main()
