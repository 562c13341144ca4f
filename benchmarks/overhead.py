"""Runner overhead: ``nf.train`` over a DAG vs the same modules in a hand-written loop.

Two cases: ``tiny`` (one Linear 64->64, batch 32: the step is almost all
overhead, reported in microseconds per step over the hand loop, measured as the
difference of per-step slopes between runs of ``steps // 10`` and ``steps``
steps, so per-run setup is not counted) and ``mlp``
(256-512-512-1, batch 64: reported as the time ratio). Both sides use the same
data (one DataLoader configuration), the same modules, the same optimizer (SGD
with momentum) and the same number of steps; runs alternate in one process,
timed in CPU seconds (``time.process_time``, one thread by default). Noise on a
shared machine only adds time, so the comparison of each side's fastest round is
printed first, then the median and spread of the per-round differences and ratios.
Run: ``python benchmarks/overhead.py [--rounds 9 --steps 300 --case tiny|mlp|both]``.
"""

import argparse
import statistics
import time

import torch
from torch import nn

import nemo
from nemo.backends.pytorch import DataLayerNM, TrainableNM
from nemo.backends.pytorch.common import MSELoss
from nemo.core.neural_types import ChannelType, LabelsType, NeuralType


class RandomRegression(DataLayerNM):
    """Fixed random features and targets. Output ports: ``x`` (B, D), ``y`` (B, D)."""

    def __init__(self, n, dim, batch_size, out=1, name=None):
        super().__init__(name=name, batch_size=batch_size, shuffle=False)
        generator = torch.Generator().manual_seed(0)
        self._dataset = torch.utils.data.TensorDataset(
            torch.randn(n, dim, generator=generator), torch.randn(n, out, generator=generator)
        )

    @property
    def output_ports(self):
        return {"x": NeuralType(("B", "D"), ChannelType()), "y": NeuralType(("B", "D"), LabelsType())}

    @property
    def dataset(self):
        return self._dataset


class MLP(TrainableNM):
    """A perceptron (one Linear when ``hidden`` is 0). Ports: ``x`` (B, D) → ``y_pred`` (B, out)."""

    def __init__(self, dim, hidden, out=1, name=None):
        super().__init__(name=name)
        if hidden:
            self.layers = nn.Sequential(nn.Linear(dim, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                                        nn.Linear(hidden, out))
        else:
            self.layers = nn.Linear(dim, out)

    @property
    def input_ports(self):
        return {"x": NeuralType(("B", "D"), ChannelType())}

    @property
    def output_ports(self):
        return {"y_pred": NeuralType(("B", "D"), ChannelType())}

    def forward(self, x):
        return self.layers(x)


def framework_run(nf, loss, steps):
    started = time.process_time()
    nf.train([loss], optimizer="sgd", optimization_params={"max_steps": steps, "lr": 1e-3, "momentum": 0.9},
             reset=True)
    return time.process_time() - started


def manual_run(data_layer, net, criterion, steps):
    started = time.process_time()
    optimizer = torch.optim.SGD(net.parameters(), lr=1e-3, momentum=0.9)
    loader = torch.utils.data.DataLoader(data_layer.dataset, batch_size=data_layer.batch_size, shuffle=False)
    net.train()
    done = 0
    while done < steps:
        for x, y in loader:
            loss = criterion(net(x), y)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            done += 1
            if done == steps:
                break
    return time.process_time() - started


def compare(nf, dim, hidden, out, batch_size, rounds, steps):
    """Per round (hand-written seconds, framework seconds), alternating, after a warm-up."""
    data_layer = RandomRegression(n=batch_size * 50, dim=dim, batch_size=batch_size, out=out)
    net, loss_nm = MLP(dim=dim, hidden=hidden, out=out), MSELoss()
    x, y = data_layer()
    loss = loss_nm(predictions=net(x=x), target=y)
    manual_run(data_layer, net, nn.MSELoss(), 20)
    framework_run(nf, loss, 20)
    pairs = []
    for _ in range(rounds):
        manual = manual_run(data_layer, net, nn.MSELoss(), steps)
        pairs.append((manual, framework_run(nf, loss, steps)))
    return pairs


def _spread(values, fmt):
    return f"median {fmt(statistics.median(values))} (min {fmt(min(values))}, max {fmt(max(values))})"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--case", choices=["tiny", "mlp", "both"], default="both")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=1, help="torch threads (1 gives steadier timings)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    nf = nemo.core.NeuralModuleFactory(placement=nemo.core.DeviceType.CPU)
    nf.logger.setLevel("WARNING")
    print(f"{args.rounds} interleaved rounds of {args.steps} steps, CPU time, {args.threads} thread(s)")
    if args.case in ("tiny", "both"):
        # per-step cost as the slope between a short and a long run, so per-run setup does not count
        short = compare(nf, 64, 0, 64, 32, args.rounds, args.steps // 10)
        long = compare(nf, 64, 0, 64, 32, args.rounds, args.steps)
        span = args.steps - args.steps // 10
        hand = [1e6 * (ml - ms) / span for (ms, _), (ml, _) in zip(short, long)]
        framework = [1e6 * (fl - fs) / span for (_, fs), (_, fl) in zip(short, long)]
        extra_us = [f - h for h, f in zip(hand, framework)]
        print(f"tiny (Linear 64->64, batch 32): hand-written step {min(hand):.1f} us (fastest round); nf.train adds "
              f"{min(framework) - min(hand):.1f} us per step comparing fastest rounds, per-round "
              f"{_spread(extra_us, lambda v: f'{v:.1f} us')}")
    if args.case in ("mlp", "both"):
        pairs = compare(nf, 256, 512, 1, 64, args.rounds, args.steps)
        ratios = [f / m for m, f in pairs]
        fastest = min(f for _, f in pairs) / min(m for m, _ in pairs)
        print(f"mlp (256-512-512-1, batch 64): hand-written step "
              f"{1000 * statistics.median(m for m, _ in pairs) / args.steps:.2f} ms; ratio nf.train / hand-written "
              f"{fastest:.3f} comparing fastest rounds, per-round {_spread(ratios, lambda v: f'{v:.3f}')}")


if __name__ == "__main__":
    main()
