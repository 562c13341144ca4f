"""Train a Jasper CTC model: one train DAG, one evaluation DAG per ``--eval_datasets`` manifest.

    python examples/asr/jasper.py --num_epochs 50 --model_config examples/asr/configs/jasper12x1SEP.yaml \\
        --train_dataset data/train_clean_100.json --eval_datasets data/dev_clean.json data/dev_other.json
    torchrun --nproc_per_node=8 examples/asr/jasper.py --amp_opt_level O1 ...   # or torch.distributed.launch

Without dataset flags it trains on the bundled AN4 sample; logs and checkpoints
go to ``<work_dir>/<exp_name>``.
"""

from asr_common import parse_args, train

if __name__ == "__main__":
    train(parse_args("Jasper", "jasper_an4.yaml"), __file__)
