"""Sentence classification with a BERT-family encoder: train, evaluate, classify raw text.

    python examples/nlp/sentence_classification.py --data_dir tests/data/nlp/sentence_classification \\
        --pretrained_bert_model <model folder> --max_seq_length 32 --num_epochs 2 --lr 1e-4 \\
        --queries "What a great meal" "Worst hotel ever"

``--data_dir`` holds ``train.tsv`` and ``dev.tsv`` (``sentence<TAB>label``, header line).
With ``--load_dir <work_dir>/checkpoints`` training is skipped and the queries are classified.
"""

import os

import nlp_common

import nemo_nlp
from nemo.backends.pytorch.common import CrossEntropyLossNM
from nemo_nlp.utils.callbacks import sentence_classification as callbacks


def main(argv=None):
    parser = nlp_common.parser("BERT sentence classification", work_dir="output_sentence_classification")
    parser.add_argument("--num_classes", type=int, default=2)
    args = parser.parse_args(argv)
    nf, tokenizer, bert = nlp_common.encoder(args)
    head = nemo_nlp.SequenceClassifier(bert.local_parameters["hidden_size"], args.num_classes,
                                       dropout=args.fc_dropout)

    def logits_of(outputs):
        ids, types, mask = outputs[:3]
        return head(hidden_states=bert(input_ids=ids, token_type_ids=types, attention_mask=mask))

    if not args.load_dir:
        layers = {split: nemo_nlp.BertTextClassificationDataLayer(
            os.path.join(args.data_dir, f"{split}.tsv"), tokenizer, args.max_seq_length, batch_size=args.batch_size)
            for split in ("train", "dev")}
        train_out, dev_out = layers["train"](), layers["dev"]()
        loss = CrossEntropyLossNM()(logits=logits_of(train_out), labels=train_out[3])
        results = nlp_common.train(nf, args, loss, layers["train"], [logits_of(dev_out), dev_out[3]],
                                   callbacks.eval_iter_callback, callbacks.eval_epochs_done_callback)
        print(f"Dev accuracy: {results['accuracy']:.4f}, macro F1: {results['macro_f1']:.4f}")
    if args.queries:
        layer = nemo_nlp.data.BertTextClassificationInferDataLayer(args.queries, tokenizer, args.max_seq_length)
        batches = nlp_common.infer(nf, args, [logits_of(layer())], [bert, head])[0]
        for query, label in zip(args.queries, [c for b in batches for c in b.argmax(dim=-1).tolist()]):
            print(f"{label}\t{query}")


if __name__ == "__main__":
    main()
