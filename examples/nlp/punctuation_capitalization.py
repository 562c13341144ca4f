"""Restore punctuation and capitalization of lower-case text with a BERT-family encoder.

    python examples/nlp/punctuation_capitalization.py --data_dir tests/data/nlp/punctuation \\
        --pretrained_bert_model <model folder> --max_seq_length 32 --num_epochs 3 --lr 1e-4 \\
        --queries "robert smith lives in paris"

``--data_dir``: ``text_train.txt``/``labels_train.txt`` and ``text_dev.txt``/``labels_dev.txt``
(labels: the punctuation after each word, then ``U`` or ``O`` for its capital).
"""

import os

import nlp_common

import nemo_nlp
from nemo.backends.pytorch.common import LossAggregatorNM
from nemo_nlp.utils.callbacks import punctuation_capitalization as callbacks


def main(argv=None):
    args = nlp_common.parser("BERT punctuation and capitalization", work_dir="output_punctuation").parse_args(argv)
    nf, tokenizer, bert = nlp_common.encoder(args)
    train_layer = nemo_nlp.BertPunctuationCapitalizationDataLayer(
        os.path.join(args.data_dir, "text_train.txt"), os.path.join(args.data_dir, "labels_train.txt"), tokenizer,
        args.max_seq_length, batch_size=args.batch_size)
    punct_ids, capit_ids = train_layer.dataset.punct_label_ids, train_layer.dataset.capit_label_ids
    head = nemo_nlp.PunctCapitTokenClassifier(bert.local_parameters["hidden_size"], len(punct_ids), len(capit_ids),
                                              dropout=args.fc_dropout)

    def heads_of(outputs):
        ids, types, mask = outputs[:3]
        return head(hidden_states=bert(input_ids=ids, token_type_ids=types, attention_mask=mask))

    if not args.load_dir:
        dev_layer = nemo_nlp.BertPunctuationCapitalizationDataLayer(
            os.path.join(args.data_dir, "text_dev.txt"), os.path.join(args.data_dir, "labels_dev.txt"), tokenizer,
            args.max_seq_length, batch_size=args.batch_size, punct_label_ids=punct_ids, capit_label_ids=capit_ids)
        train_out, dev_out = train_layer(), dev_layer()
        punct_logits, capit_logits = heads_of(train_out)
        losses = [nemo_nlp.TokenClassificationLoss(len(ids))(logits=logits, labels=labels, loss_mask=train_out[3])
                  for ids, logits, labels in ((punct_ids, punct_logits, train_out[5]),
                                              (capit_ids, capit_logits, train_out[6]))]
        loss = LossAggregatorNM(num_inputs=2)(loss_1=losses[0], loss_2=losses[1])
        results = nlp_common.train(nf, args, loss, train_layer, list(heads_of(dev_out)) + [dev_out[5], dev_out[6],
                                   dev_out[4]], callbacks.eval_iter_callback,
                                   lambda g: callbacks.eval_epochs_done_callback(g, punct_ids, capit_ids))
        print(f"Dev punctuation macro F1: {results['punct_macro_f1']:.4f}, "
              f"capitalization macro F1: {results['capit_macro_f1']:.4f}")
    if args.queries:
        layer = nemo_nlp.data.BertTokenClassificationInferDataLayer(args.queries, tokenizer, args.max_seq_length)
        punct_batches, capit_batches = nlp_common.infer(nf, args, list(heads_of(layer())), [bert, head])
        punct_names = {i: p for p, i in punct_ids.items()}
        capit_names = {i: c for c, i in capit_ids.items()}
        rows = zip([r for b in punct_batches for r in b.argmax(dim=-1).tolist()],
                   [r for b in capit_batches for r in b.argmax(dim=-1).tolist()])
        for words, aligned, (punct_row, capit_row) in zip(layer.dataset.words, layer.dataset.aligned, rows):
            out = []
            for word, position in zip(words, aligned.first_positions()):
                word = word.capitalize() if capit_names[capit_row[position]] == "U" else word
                mark = punct_names[punct_row[position]]
                out.append(word + (mark if mark != "O" else ""))
            print(" ".join(out))


if __name__ == "__main__":
    main()
