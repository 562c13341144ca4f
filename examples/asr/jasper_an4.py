"""Train a small Jasper on the bundled AN4 sample (CPU, a few minutes), printing WER as it goes.

    python examples/asr/jasper_an4.py                       # bundled data and config
    python examples/asr/jasper_an4.py --num_epochs 100 --lr 0.02

Logs, TensorBoard events and checkpoints go to ``jasper_an4_exp/JasperAN4``.
"""

from asr_common import parse_args, train

if __name__ == "__main__":
    train(parse_args("JasperAN4", "jasper_an4.yaml", batch_size=8, num_epochs=60, eval_freq=40,
                     checkpoint_save_freq=100, work_dir="jasper_an4_exp", random_seed=0), __file__)
