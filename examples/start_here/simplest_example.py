"""Train TaylorNet to fit sin(x): a loss logger, an evaluator and checkpoints.

    python examples/start_here/simplest_example.py [--num_epochs 10 --lr 0.01 --log_dir simplest_example_logs]

A second run with the same ``--log_dir`` resumes from its checkpoints.
"""

import argparse

import torch

import nemo

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.ArgumentDefaultsHelpFormatter)
parser.add_argument("--num_epochs", type=int, default=10, help="epochs over the 10,000 training points")
parser.add_argument("--lr", type=float, default=0.01, help="Adam learning rate")
parser.add_argument("--log_dir", default="simplest_example_logs", help="logs, TensorBoard and checkpoints")
args = parser.parse_args()

nf = nemo.core.NeuralModuleFactory(log_dir=args.log_dir, create_tb_writer=True, random_seed=0)

# Modules: a data layer for y = sin(x), a small trainable net, a loss.
dl = nemo.backends.pytorch.tutorials.RealFunctionDataLayer(n=10000, batch_size=128, shuffle=True)
dl_eval = nemo.backends.pytorch.tutorials.RealFunctionDataLayer(n=1000, batch_size=128)
fx = nemo.backends.pytorch.tutorials.TaylorNet(dim=4)
loss = nemo.backends.pytorch.tutorials.MSELoss()

# Train DAG and eval DAG: building them computes nothing yet.
x, y = dl()
lss = loss(predictions=fx(x=x), target=y)
x_e, y_e = dl_eval()
lss_e = loss(predictions=fx(x=x_e), target=y_e)


def collect_loss(tensors, global_vars):
    for name, values in tensors.items():
        if name.startswith("loss"):
            global_vars.setdefault("losses", []).extend(v.item() for v in values)


def mean_loss(global_vars):
    value = sum(global_vars["losses"]) / len(global_vars["losses"])
    print(f"Eval loss: {value:.4f}")
    return {"eval_loss": value}


callbacks = [
    nemo.core.SimpleLossLoggerCallback(tensors=[lss], print_func=lambda v: print(f"Train loss: {v[0].item():.4f}")),
    nemo.core.EvaluatorCallback(eval_tensors=[lss_e], user_iter_callback=collect_loss,
                                user_epochs_done_callback=mean_loss, eval_step=200),
    nemo.core.CheckpointCallback(folder=nf.checkpoint_dir, step_freq=200),
]
nf.train([lss], callbacks=callbacks, optimizer="adam",
         optimization_params={"num_epochs": args.num_epochs, "lr": args.lr})
print("TaylorNet weights:", torch.cat([p.flatten() for p in fx.parameters()]).tolist())
