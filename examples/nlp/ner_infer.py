"""Tag raw text with a model trained by examples/nlp/ner.py.

    python examples/nlp/ner_infer.py --pretrained_bert_model <model folder> --work_dir output_ner \\
        --queries "Jennifer lives in New York" "Acme Corporation hired Robert Smith"

Restores the newest ``BERT-STEP-*.pt`` and ``TokenClassifier-STEP-*.pt`` from
``<work_dir>/checkpoints`` and reads the labels from ``<work_dir>/label_ids.csv``.
"""

import argparse
import os

import nemo
import nemo_nlp


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pretrained_bert_model", required=True, help="the model folder used in training")
    parser.add_argument("--work_dir", required=True, help="the --work_dir of ner.py")
    parser.add_argument("--queries", nargs="+", required=True, help="sentences to tag")
    parser.add_argument("--max_seq_length", type=int, default=128)
    parser.add_argument("--num_fc_layers", type=int, default=2)
    return parser.parse_args(argv)


def tag_queries(args):
    """``[[(word, label)]]`` per query."""
    label_file = os.path.join(args.work_dir, "label_ids.csv")
    if not os.path.isfile(label_file):
        raise FileNotFoundError(f"{label_file} not found; was --work_dir the one ner.py trained into?")
    with open(label_file, encoding="utf-8") as handle:
        labels = [line.strip() for line in handle if line.strip()]
    nf = nemo.core.NeuralModuleFactory(log_dir=None)
    tokenizer = nemo_nlp.NemoBertTokenizer(args.pretrained_bert_model)
    bert = nemo_nlp.huggingface.BERT(pretrained_model_name=args.pretrained_bert_model)
    classifier = nemo_nlp.TokenClassifier(hidden_size=bert.local_parameters["hidden_size"], num_classes=len(labels),
                                          num_layers=args.num_fc_layers)
    layer = nemo_nlp.data.BertTokenClassificationInferDataLayer(args.queries, tokenizer, args.max_seq_length)
    input_ids, input_type_ids, input_mask, _ = layer()
    logits = classifier(hidden_states=bert(input_ids=input_ids, token_type_ids=input_type_ids,
                                           attention_mask=input_mask))
    batches = nf.infer(tensors=[logits], checkpoint_dir=os.path.join(args.work_dir, "checkpoints"),
                       modules_to_restore=[bert, classifier])[0]
    rows = [row for batch in batches for row in batch.argmax(dim=-1).tolist()]
    tagged = []
    for words, aligned, row in zip(layer.dataset.words, layer.dataset.aligned, rows):
        predicted = [labels[row[p]] for p in aligned.first_positions()]
        tagged.append(list(zip(words, predicted + ["O"] * (len(words) - len(predicted)))))
    return tagged


def main(argv=None):
    for sentence in tag_queries(parse_args(argv)):
        print(" ".join(f"{word}[{label}]" if label != "O" else word for word, label in sentence))


if __name__ == "__main__":
    main()
