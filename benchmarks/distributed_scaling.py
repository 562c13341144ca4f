"""Weak scaling on CPU: 1 process vs 2 gloo processes (torchrun) at the same per-rank batch.

Each process runs one thread (OMP_NUM_THREADS=1), so 2 processes use 2 cores.
Scaling efficiency = t(1 process) / t(2 processes): 1.0 means the second rank
doubles throughput for free. Two independent processes (no all-reduce) show
how much of the loss is the machine itself (shared cores, memory bandwidth)
rather than communication. Usage: ``python
benchmarks/distributed_scaling.py`` (about a minute).
"""

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time

WARMUP, STEPS, BATCH, WIDTH = 5, 40, 256, 512


def worker(out):
    """Train an MLP on sin(x) for WARMUP + STEPS steps; rank 0 writes its step times to ``out``."""
    from torch import nn

    import nemo
    from nemo.backends.pytorch.tutorials import MSELoss, RealFunctionDataLayer
    from nemo.core.neural_types import ChannelType, NeuralType
    from step_timer import StepTimer

    class MLP(nemo.backends.pytorch.TrainableNM):
        """Ports: ``x`` (B, 1) -> ``y_pred`` (B, 1)."""

        def __init__(self):
            super().__init__()
            self.net = nn.Sequential(nn.Linear(1, WIDTH), nn.ReLU(), nn.Linear(WIDTH, WIDTH), nn.ReLU(),
                                     nn.Linear(WIDTH, WIDTH), nn.ReLU(), nn.Linear(WIDTH, 1))

        input_ports = property(lambda self: {"x": NeuralType(("B", "D"), ChannelType())})
        output_ports = property(lambda self: {"y_pred": NeuralType(("B", "D"), ChannelType())})

        def forward(self, x):
            return self.net(x)

    nf = nemo.core.NeuralModuleFactory(placement=nemo.core.DeviceType.CPU, random_seed=0)
    total = WARMUP + STEPS + 1
    dl = RealFunctionDataLayer(n=BATCH * total * nf.world_size, batch_size=BATCH)
    x, y = dl()
    model = MLP()
    loss = MSELoss()(predictions=model(x=x), target=y)
    timer = StepTimer()
    nf.train([loss], optimizer="sgd", callbacks=[timer], optimization_params={"max_steps": total, "lr": 1e-3})
    times = [b - a for a, b in zip(timer.stamps[WARMUP:], timer.stamps[WARMUP + 1:])]
    if nf.global_rank == 0:
        with open(out, "w") as handle:
            json.dump({"times": times}, handle)


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _launch(nproc, folder, together=True):
    """Median step time of ``nproc`` one-thread workers: one torchrun job, or independent processes."""
    env = {k: v for k, v in os.environ.items() if k not in ("RANK", "WORLD_SIZE", "LOCAL_RANK")}
    env["OMP_NUM_THREADS"] = "1"
    outs = [os.path.join(folder, f"{nproc}-{together}-{i}.json") for i in range(1 if together else nproc)]
    me = os.path.abspath(__file__)
    if nproc > 1 and together:
        cmds = [[sys.executable, "-m", "torch.distributed.run", f"--nproc_per_node={nproc}",
                 f"--master_port={_free_port()}", me, "--worker", outs[0]]]
    else:
        cmds = [[sys.executable, me, "--worker", out] for out in outs]
    procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
             for cmd in cmds]
    errors = [proc.communicate()[1] for proc in procs]
    for proc, cmd, error in zip(procs, cmds, errors):
        if proc.returncode:
            raise RuntimeError(f"benchmark worker {cmd} failed:\n{error[-3000:]}")
    medians = []
    for out in outs:
        with open(out) as handle:
            medians.append(statistics.median(json.load(handle)["times"]))
    return statistics.mean(medians)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", metavar="OUT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args.worker)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        t1 = _launch(1, folder)
        t2 = _launch(2, folder)
        t_free = _launch(2, folder, together=False)
    print(f"MLP {WIDTH}x3 on CPU, per-rank batch {BATCH}, SGD, one thread per process, "
          f"median of {STEPS} steps after {WARMUP} warm-up\n")
    print(f"{'run':<44} {'ms/step':>9} {'samples/s':>10}")
    rows = [("1 process", 1, t1), ("2 processes, gloo all-reduce (torchrun)", 2, t2),
            ("2 independent processes (no all-reduce)", 2, t_free)]
    for name, nproc, value in rows:
        print(f"{name:<44} {value * 1e3:>9.2f} {nproc * BATCH / value:>10.0f}")
    print(f"\nweak-scaling efficiency t1/t2 = {t1 / t2:.2f} (throughput x{2 * t1 / t2:.2f} with 2 processes)")
    print(f"the machine alone, without communication: t1/t_independent = {t1 / t_free:.2f}")
    print(f"cores: {os.cpu_count()}; wall time {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
