"""NemoArgParser: legacy flags, defaults and both local-rank spellings."""
import pytest

from nemo.utils.argparse import NemoArgParser


@pytest.fixture(autouse=True)
def _no_torchrun_env(monkeypatch):
    monkeypatch.delenv("LOCAL_RANK", raising=False)


def test_defaults():
    args = NemoArgParser().parse_args([])
    assert args.local_rank is None
    assert (args.batch_size, args.eval_batch_size, args.num_gpus, args.iter_per_step) == (32, None, 1, 1)
    assert (args.num_epochs, args.max_steps, args.lr, args.optimizer) == (None, None, 1e-3, "novograd")
    assert (args.weight_decay, args.momentum, args.beta1, args.beta2, args.warmup_steps) == (0.0, None, None, None, 0)
    assert (args.amp_opt_level, args.checkpoint_save_freq, args.eval_freq) == ("O0", 1000, 1000)
    assert args.eval_datasets is None and args.checkpoint_dir is None and args.work_dir is None


@pytest.mark.parametrize("flag", ["--local_rank", "--local-rank"])
def test_both_local_rank_spellings(flag):
    assert NemoArgParser().parse_args([flag, "2"]).local_rank == 2
    assert NemoArgParser().parse_args([f"{flag}=3"]).local_rank == 3


def test_local_rank_defaults_to_environment(monkeypatch):
    monkeypatch.setenv("LOCAL_RANK", "1")
    assert NemoArgParser().parse_args([]).local_rank == 1
    assert NemoArgParser().parse_args(["--local-rank", "0"]).local_rank == 0


def test_parses_typed_values():
    args = NemoArgParser().parse_args(
        "--batch_size 8 --num_epochs 5 --lr 0.02 --optimizer adam --beta1 0.8 --beta2 0.9 "
        "--amp_opt_level O1 --eval_datasets a.json b.json --train_dataset t.json "
        "--lr_policy CosineAnnealing --lr_warmup_proportion 0.1 --num_workers 2".split()
    )
    assert (args.batch_size, args.num_epochs, args.lr, args.optimizer) == (8, 5, 0.02, "adam")
    assert (args.beta1, args.beta2, args.amp_opt_level) == (0.8, 0.9, "O1")
    assert (args.eval_datasets, args.train_dataset) == (["a.json", "b.json"], "t.json")
    assert (args.lr_policy, args.lr_warmup_proportion, args.num_workers) == ("CosineAnnealing", 0.1, 2)


def test_rejects_bad_values():
    parser = NemoArgParser()
    with pytest.raises(SystemExit):
        parser.parse_args(["--amp_opt_level", "O4"])
    with pytest.raises(SystemExit):
        parser.parse_args(["--batch_size", "big"])


def test_script_flags_and_kwargs():
    parser = NemoArgParser(description="toy", prog="toy.py")
    parser.add_argument("--fc_dropout", type=float, default=0.1)
    parser.add_argument("--batch_size", type=int, default=16)  # a script may redefine a NeMo flag
    args = parser.parse_args([])
    assert (parser.prog, parser.description, args.fc_dropout, args.batch_size) == ("toy.py", "toy", 0.1, 16)


def test_script_may_re_add_local_rank(monkeypatch):
    monkeypatch.setenv("LOCAL_RANK", "1")
    parser = NemoArgParser()
    parser.add_argument("--local_rank", default=None, type=int)  # as the legacy tutorials advise
    assert parser.parse_args(["--local_rank", "3"]).local_rank == 3
    assert parser.parse_args(["--local-rank", "2"]).local_rank == 2
    assert parser.parse_args([]).local_rank == 1
