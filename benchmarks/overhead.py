"""Runner overhead: ``nf.train`` over a DAG vs the same modules in a hand-written loop.

Both sides use the same data (one DataLoader configuration), the same modules,
the same optimizer (SGD with momentum) and the same number of steps; runs
alternate in one process and the median of the per-round time ratios is
printed. Run: ``python benchmarks/overhead.py [--rounds 7 --steps 300]``.
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

    def __init__(self, n, dim, batch_size, name=None):
        super().__init__(name=name, batch_size=batch_size, shuffle=False)
        generator = torch.Generator().manual_seed(0)
        self._dataset = torch.utils.data.TensorDataset(
            torch.randn(n, dim, generator=generator), torch.randn(n, 1, generator=generator)
        )

    @property
    def output_ports(self):
        return {"x": NeuralType(("B", "D"), ChannelType()), "y": NeuralType(("B", "D"), LabelsType())}

    @property
    def dataset(self):
        return self._dataset


class MLP(TrainableNM):
    """Three-layer perceptron. Ports: ``x`` (B, D) → ``y_pred`` (B, 1)."""

    def __init__(self, dim, hidden, name=None):
        super().__init__(name=name)
        self.layers = nn.Sequential(nn.Linear(dim, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                                    nn.Linear(hidden, 1))

    @property
    def input_ports(self):
        return {"x": NeuralType(("B", "D"), ChannelType())}

    @property
    def output_ports(self):
        return {"y_pred": NeuralType(("B", "D"), ChannelType())}

    def forward(self, x):
        return self.layers(x)


def framework_run(nf, loss, steps):
    started = time.perf_counter()
    nf.train([loss], optimizer="sgd", optimization_params={"max_steps": steps, "lr": 1e-3, "momentum": 0.9},
             reset=True)
    return time.perf_counter() - started


def manual_run(data_layer, net, criterion, steps):
    started = time.perf_counter()
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
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--hidden", type=int, default=512)
    parser.add_argument("--batch_size", type=int, default=64)
    parser.add_argument("--threads", type=int, default=1, help="torch threads (1 gives steadier timings)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    nf = nemo.core.NeuralModuleFactory(placement=nemo.core.DeviceType.CPU)
    nf.logger.setLevel("WARNING")
    data_layer = RandomRegression(n=args.batch_size * 50, dim=256, batch_size=args.batch_size)
    net, loss_nm = MLP(dim=256, hidden=args.hidden), MSELoss()
    x, y = data_layer()
    loss = loss_nm(predictions=net(x=x), target=y)
    manual_run(data_layer, net, nn.MSELoss(), 20)  # warm-up both paths
    framework_run(nf, loss, 20)
    ratios, manual_times = [], []
    for _ in range(args.rounds):
        manual = manual_run(data_layer, net, nn.MSELoss(), args.steps)
        framework = framework_run(nf, loss, args.steps)
        manual_times.append(manual)
        ratios.append(framework / manual)
    step_ms = 1000 * statistics.median(manual_times) / args.steps
    print(f"hand-written step: {step_ms:.2f} ms (MLP 256-{args.hidden}-{args.hidden}-1, batch {args.batch_size}, "
          f"{args.threads} thread(s))")
    print("per-round ratios nf.train / hand-written:", " ".join(f"{r:.3f}" for r in ratios))
    print(f"median ratio: {statistics.median(ratios):.3f}")


if __name__ == "__main__":
    main()
