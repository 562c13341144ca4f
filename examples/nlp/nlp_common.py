"""Shared pieces of the NLP examples: flags, tokenizer + encoder, a training run with evaluation."""

import os

import nemo
import nemo_nlp
from nemo.utils import NemoArgParser
from nemo.utils.lr_policies import get_lr_policy


def parser(description, **defaults):
    """NemoArgParser with the encoder and data flags of every NLP example."""
    result = NemoArgParser(description=description)
    result.set_defaults(**dict(dict(batch_size=8, num_epochs=3, lr=5e-5, lr_policy="WarmupAnnealing",
                                    optimizer="adam", save_epoch_freq=1), **defaults))
    result.add_argument("--data_dir", required=True)
    result.add_argument("--pretrained_bert_model", required=True, help="model folder or name in the local HF cache")
    result.add_argument("--bert_checkpoint", default=None, help="a BERT-STEP-*.pt to load into the encoder")
    result.add_argument("--max_seq_length", type=int, default=128)
    result.add_argument("--fc_dropout", type=float, default=0.1)
    result.add_argument("--lr_warmup_proportion", type=float, default=0.1)
    result.add_argument("--load_dir", default=None, help="skip training: restore checkpoints from here and infer")
    result.add_argument("--queries", nargs="*", default=[], help="raw sentences to run through the trained model")
    return result


def encoder(args):
    """``(nf, tokenizer, bert)`` for the parsed ``args``."""
    nf = nemo.core.NeuralModuleFactory(local_rank=args.local_rank, optimization_level=args.amp_opt_level,
                                       log_dir=args.work_dir, create_tb_writer=True, random_seed=args.random_seed)
    tokenizer = nemo_nlp.NemoBertTokenizer(args.pretrained_bert_model)
    bert = nemo_nlp.huggingface.BERT(pretrained_model_name=args.pretrained_bert_model)
    if args.bert_checkpoint:
        bert.restore_from(args.bert_checkpoint)
    return nf, tokenizer, bert


def train(nf, args, loss, train_layer, eval_tensors, iter_callback, done_callback):
    """Fine-tune ``loss``, evaluating ``eval_tensors`` once per epoch with the two callbacks;
    checkpoints go to ``nf.checkpoint_dir``. Returns the last evaluation's results."""
    steps_per_epoch = max(1, len(train_layer) // (args.batch_size * nf.world_size))
    evaluator = nemo.core.EvaluatorCallback(eval_tensors=eval_tensors, user_iter_callback=iter_callback,
                                            user_epochs_done_callback=done_callback, eval_step=steps_per_epoch)
    callbacks = [nemo.core.SimpleLossLoggerCallback(tensors=[loss], step_freq=max(1, steps_per_epoch // 2)),
                 evaluator,
                 nemo.core.CheckpointCallback(folder=nf.checkpoint_dir, epoch_freq=args.save_epoch_freq,
                                              step_freq=args.save_step_freq)]
    policy = get_lr_policy(args.lr_policy, total_steps=args.num_epochs * steps_per_epoch,
                           warmup_ratio=args.lr_warmup_proportion)
    nf.train(tensors_to_optimize=[loss], callbacks=callbacks, lr_policy=policy, optimizer=args.optimizer,
             optimization_params={"num_epochs": args.num_epochs, "lr": args.lr, "weight_decay": args.weight_decay})
    return evaluator.results


def infer(nf, args, tensors, modules):
    """Per-batch values of ``tensors``, restoring ``modules`` from ``--load_dir`` when given."""
    folder = args.load_dir or nf.checkpoint_dir
    if args.load_dir and not os.path.isdir(folder):
        raise FileNotFoundError(f"--load_dir {folder} is not a folder")
    return nf.infer(tensors=tensors, checkpoint_dir=folder if args.load_dir else None, modules_to_restore=modules)
