"""Pretrain a BERT from raw text: a vocabulary built from the same text, masked LM (output
layer tied to the input embeddings) + next-sentence prediction.

    python examples/nlp/bert_pretraining.py --data_file tests/data/nlp/pretraining/train.txt \\
        --vocab_size 200 --hidden_size 64 --num_hidden_layers 2 --num_attention_heads 2 --max_steps 200

Text: one sentence a line, documents separated by blank lines. Writes to ``--work_dir``:
``bert_config.json``, the tokenizer (``tokenizer_spe/tokenizer.model`` or ``vocab.txt``) and
checkpoints; fine-tune the result with ``examples/nlp/ner.py --bert_config <work_dir>/bert_config.json
--bert_checkpoint <work_dir>/checkpoints/BERT-STEP-<n>.pt --tokenizer_model <tokenizer.model>``.
"""

import os

import nemo
import nemo_nlp
from nemo.backends.pytorch.common import CrossEntropyLossNM, LossAggregatorNM
from nemo.utils import NemoArgParser
from nemo.utils.lr_policies import get_lr_policy


def parse_args(argv=None):
    parser = NemoArgParser(description="BERT pretraining from raw text")
    parser.set_defaults(batch_size=16, lr=1e-3, optimizer="adam", work_dir="output_bert_pretraining",
                        lr_policy="CosineAnnealing", max_steps=1000)
    parser.add_argument("--data_file", required=True, help="raw text file or folder of .txt files")
    parser.add_argument("--tokenizer", choices=["sentencepiece", "wordpiece"], default="sentencepiece")
    parser.add_argument("--vocab_size", type=int, default=8000)
    parser.add_argument("--sample_size", type=int, default=-1, help="lines to train the SentencePiece model on")
    parser.add_argument("--do_lower_case", action="store_true")
    parser.add_argument("--hidden_size", type=int, default=256)
    parser.add_argument("--num_hidden_layers", type=int, default=4)
    parser.add_argument("--num_attention_heads", type=int, default=4)
    parser.add_argument("--max_seq_length", type=int, default=128)
    parser.add_argument("--mask_probability", type=float, default=0.15)
    return parser.parse_args(argv)


def build_tokenizer(args):
    text = args.data_file if os.path.isfile(args.data_file) else None
    if text is None:
        raise ValueError("--data_file must be a text file to build the vocabulary from")
    if args.tokenizer == "wordpiece":
        vocab = nemo_nlp.create_wordpiece_vocab(text, args.vocab_size, args.do_lower_case, args.work_dir)
        return nemo_nlp.NemoBertTokenizer(vocab_file=vocab, do_lower_case=args.do_lower_case)
    model, _ = nemo_nlp.create_spt_model(text, args.vocab_size, args.sample_size, args.do_lower_case,
                                         output_dir=os.path.join(args.work_dir, "tokenizer_spe"))
    tokenizer = nemo_nlp.SentencePieceTokenizer(model_path=model)
    tokenizer.add_special_tokens(["[MASK]", "[CLS]", "[SEP]"])
    return tokenizer


def main(argv=None):
    args = parse_args(argv)
    nf = nemo.core.NeuralModuleFactory(local_rank=args.local_rank, optimization_level=args.amp_opt_level,
                                       log_dir=args.work_dir, create_tb_writer=True, random_seed=args.random_seed)
    tokenizer = build_tokenizer(args)
    bert = nemo_nlp.huggingface.BERT(vocab_size=tokenizer.vocab_size, hidden_size=args.hidden_size,
                                     num_hidden_layers=args.num_hidden_layers,
                                     num_attention_heads=args.num_attention_heads,
                                     intermediate_size=4 * args.hidden_size,
                                     max_position_embeddings=max(512, args.max_seq_length))
    bert.save_config(os.path.join(args.work_dir, "bert_config.json"))
    mlm = nemo_nlp.BertTokenClassifier(args.hidden_size, num_classes=tokenizer.vocab_size)
    mlm.tie_weights_with(bert, weight_names=["mlp.last_linear_layer.weight"],
                         name2name_and_transform={"mlp.last_linear_layer.weight": (
                             "bert.embeddings.word_embeddings.weight", nemo.core.WeightShareTransform.SAME)})
    nsp = nemo_nlp.SequenceClassifier(args.hidden_size, num_classes=2)
    layer = nemo_nlp.BertPretrainingDataLayer(tokenizer, args.data_file, args.max_seq_length,
                                              args.mask_probability, batch_size=args.batch_size)
    ids, types, mask, output_ids, output_mask, nsp_labels = layer()
    hidden = bert(input_ids=ids, token_type_ids=types, attention_mask=mask)
    mlm_loss = nemo_nlp.MaskedLanguageModelingLossNM()(logits=mlm(hidden_states=hidden), output_ids=output_ids,
                                                       output_mask=output_mask)
    nsp_loss = CrossEntropyLossNM()(logits=nsp(hidden_states=hidden), labels=nsp_labels)
    loss = LossAggregatorNM(num_inputs=2)(loss_1=mlm_loss, loss_2=nsp_loss)
    logger = nemo.core.SimpleLossLoggerCallback(
        tensors=[loss, mlm_loss, nsp_loss], step_freq=max(1, args.max_steps // 20),
        print_func=lambda v: print(f"loss {v[0].item():.3f} (mlm {v[1].item():.3f}, nsp {v[2].item():.3f})"),
        get_tb_values=lambda v: [["loss", v[0]], ["mlm_loss", v[1]], ["nsp_loss", v[2]]])
    saver = nemo.core.CheckpointCallback(folder=nf.checkpoint_dir,
                                         step_freq=args.save_step_freq if args.save_step_freq > 0 else args.max_steps)
    nf.train(tensors_to_optimize=[loss], callbacks=[logger, saver],
             lr_policy=get_lr_policy(args.lr_policy, total_steps=args.max_steps, warmup_ratio=0.05),
             optimizer=args.optimizer, optimization_params={"max_steps": args.max_steps, "lr": args.lr,
                                                             "weight_decay": args.weight_decay})


if __name__ == "__main__":
    main()
