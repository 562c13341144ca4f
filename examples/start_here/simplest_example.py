"""Train TaylorNet to fit sin(x): a loss logger, an evaluator and checkpoints."""

import torch

import nemo

nf = nemo.core.NeuralModuleFactory(log_dir="simplest_example_logs", create_tb_writer=True, random_seed=0)

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
         optimization_params={"num_epochs": 10, "lr": 0.01})
print("TaylorNet weights:", torch.cat([p.flatten() for p in fx.parameters()]).tolist())
