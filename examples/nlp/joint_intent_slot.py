"""Joint intent classification and slot filling with a BERT-family encoder; tags raw queries.

    python examples/nlp/joint_intent_slot.py --data_dir tests/data/nlp/joint_intent_slot \\
        --pretrained_bert_model <model folder> --max_seq_length 32 --num_epochs 3 --lr 1e-4 \\
        --queries "book a flight from boston to paris"

``--data_dir``: ``train.tsv``/``test.tsv`` (``sentence<TAB>intent id``), ``train_slots.tsv``/
``test_slots.tsv`` (slot ids per word), ``dict.intents.csv``, ``dict.slots.csv``
(``scripts/get_nlp_data.py --dataset snips`` writes this layout).
"""

import os

import nlp_common

import nemo_nlp
from nemo_nlp.data.datasets.joint_intent_slot import read_names
from nemo_nlp.utils.callbacks import joint_intent_slot as callbacks


def main(argv=None):
    parser = nlp_common.parser("BERT joint intent and slot filling", work_dir="output_joint_intent_slot")
    parser.add_argument("--intent_loss_weight", type=float, default=0.6)
    args = parser.parse_args(argv)
    intents = read_names(os.path.join(args.data_dir, "dict.intents.csv"))
    slots = read_names(os.path.join(args.data_dir, "dict.slots.csv"))
    nf, tokenizer, bert = nlp_common.encoder(args)
    head = nemo_nlp.JointIntentSlotClassifier(bert.local_parameters["hidden_size"], len(intents), len(slots),
                                              dropout=args.fc_dropout)

    def heads_of(outputs):
        ids, types, mask = outputs[:3]
        return head(hidden_states=bert(input_ids=ids, token_type_ids=types, attention_mask=mask))

    if not args.load_dir:
        layers = {split: nemo_nlp.BertJointIntentSlotDataLayer(
            os.path.join(args.data_dir, f"{split}.tsv"), os.path.join(args.data_dir, f"{split}_slots.tsv"),
            slots.index("O"), tokenizer, args.max_seq_length, batch_size=args.batch_size)
            for split in ("train", "test")}
        train_out, test_out = layers["train"](), layers["test"]()
        intent_logits, slot_logits = heads_of(train_out)
        loss = nemo_nlp.JointIntentSlotLoss(len(slots), intent_loss_weight=args.intent_loss_weight)(
            intent_logits=intent_logits, slot_logits=slot_logits, loss_mask=train_out[3], intents=train_out[5],
            slots=train_out[6])
        results = nlp_common.train(nf, args, loss, layers["train"], list(heads_of(test_out)) + [test_out[4],
                                   test_out[5], test_out[6]], callbacks.eval_iter_callback,
                                   lambda g: callbacks.eval_epochs_done_callback(g, intents, slots))
        print(f"Test intent accuracy: {results['intent_accuracy']:.4f}, slot entity F1: "
              f"{results.get('slot_entity_f1', float('nan')):.4f}")
    if args.queries:
        layer = nemo_nlp.data.BertTokenClassificationInferDataLayer(args.queries, tokenizer, args.max_seq_length)
        intent_logits, slot_logits = heads_of(layer())
        intent_batches, slot_batches = nlp_common.infer(nf, args, [intent_logits, slot_logits], [bert, head])
        intent_ids = [i for b in intent_batches for i in b.argmax(dim=-1).tolist()]
        slot_rows = [r for b in slot_batches for r in b.argmax(dim=-1).tolist()]
        for words, aligned, intent, row in zip(layer.dataset.words, layer.dataset.aligned, intent_ids, slot_rows):
            tags = [slots[row[p]] for p in aligned.first_positions()]
            print(intents[intent] + "\t" + " ".join(f"{w}[{t}]" if t != "O" else w for w, t in zip(words, tags)))


if __name__ == "__main__":
    main()
