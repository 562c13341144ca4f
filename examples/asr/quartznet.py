"""Train a QuartzNet CTC model: one train DAG, one evaluation DAG per ``--eval_datasets`` manifest.

    python examples/asr/quartznet.py --num_epochs 100 --model_config examples/asr/configs/quartznet15x5.yaml \\
        --train_dataset data/train_clean_100.json --eval_datasets data/dev_clean.json data/dev_other.json
    torchrun --nproc_per_node=8 examples/asr/quartznet.py --amp_opt_level O1 ...   # or torch.distributed.launch

Without dataset flags it trains on the bundled AN4 sample; logs and checkpoints
go to ``<work_dir>/<exp_name>``.
"""

from asr_common import parse_args, train

if __name__ == "__main__":
    train(parse_args("QuartzNet", "quartznet_an4.yaml"), __file__)
