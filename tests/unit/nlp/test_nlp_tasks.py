"""Sentence classification, punctuation/capitalization and joint intent/slot: data layers,
a short training run on the bundled samples (the loss falls) and the evaluation callbacks."""

import os

import pytest
import torch

import nemo
import nemo_nlp
from nemo.backends.pytorch.common import CrossEntropyLossNM, LossAggregatorNM
from nemo_nlp.data.datasets.joint_intent_slot import read_names
from nemo_nlp.utils.callbacks import joint_intent_slot, punctuation_capitalization, sentence_classification


HIDDEN = 384  # MiniLM


def _frozen_minilm(minilm_dir):
    """MiniLM with frozen weights: the heads learn on its pretrained features at a fraction of the cost."""
    bert = nemo_nlp.huggingface.BERT(pretrained_model_name=minilm_dir)
    bert.freeze()
    return bert


def _train(nf, loss, steps, lr=2e-3):
    losses = []
    logger = nemo.core.SimpleLossLoggerCallback(tensors=[loss], step_freq=1,
                                                print_func=lambda v: losses.append(v[0].item()))
    nf.train([loss], callbacks=[logger], optimizer="adam", optimization_params={"max_steps": steps, "lr": lr})
    return losses


def _falls(losses):
    return sum(losses[-3:]) / 3 < 0.7 * sum(losses[:3]) / 3


def _evaluate(tensors, iter_cb, done_cb):
    callback = nemo.core.EvaluatorCallback(eval_tensors=tensors, user_iter_callback=iter_cb,
                                           user_epochs_done_callback=done_cb)
    return nemo.core.NeuralModuleFactory.get_default_factory().eval([callback])[0]


def test_sentence_classification_learns_and_reports_accuracy(nlp_data, bert_tokenizer, minilm_dir, tmp_path):
    nf = nemo.core.NeuralModuleFactory(log_dir=str(tmp_path), random_seed=0)
    folder = os.path.join(nlp_data, "sentence_classification")
    train = nemo_nlp.BertTextClassificationDataLayer(os.path.join(folder, "train.tsv"), bert_tokenizer, 32,
                                                     batch_size=8)
    dev = nemo_nlp.BertSentenceClassificationDataLayer(os.path.join(folder, "dev.tsv"), bert_tokenizer, 32,
                                                       batch_size=8)
    assert list(train.output_ports) == ["input_ids", "input_type_ids", "input_mask", "labels"]
    bert = _frozen_minilm(minilm_dir)
    head, ce = nemo_nlp.SequenceClassifier(HIDDEN, 2), CrossEntropyLossNM()

    def pipeline(layer):
        ids, types, mask, labels = layer()
        logits = head(hidden_states=bert(input_ids=ids, token_type_ids=types, attention_mask=mask))
        return ce(logits=logits, labels=labels), logits, labels

    loss, _, _ = pipeline(train)
    _, logits, labels = pipeline(dev)
    assert _falls(_train(nf, loss, 10))
    scores = _evaluate([logits, labels], sentence_classification.eval_iter_callback,
                       lambda g: sentence_classification.eval_epochs_done_callback(g, ["negative", "positive"]))
    assert scores["accuracy"] > 0.8 and {"f1_negative", "f1_positive", "macro_f1"} <= set(scores)


def test_punctuation_labels_align_and_both_heads_learn(nlp_data, bert_tokenizer, minilm_dir, tmp_path):
    nf = nemo.core.NeuralModuleFactory(log_dir=str(tmp_path), random_seed=0)
    folder = os.path.join(nlp_data, "punctuation")
    layer = nemo_nlp.BertPunctuationCapitalizationDataLayer(
        os.path.join(folder, "text_train.txt"), os.path.join(folder, "labels_train.txt"), bert_tokenizer, 32,
        batch_size=8)
    dataset = layer.dataset
    assert dataset.punct_label_ids == {"O": 0, ",": 1, ".": 2} and dataset.capit_label_ids == {"O": 0, "U": 1}
    first = dataset[0]  # "harbor motors opened an office in spain" / "OU OU OO OO OO OO .U"
    keep = [i for i, flag in enumerate(first["subtokens_mask"]) if flag]
    assert [first["punct_labels"][i] for i in keep] == [0, 0, 0, 0, 0, 0, 2]
    assert [first["capit_labels"][i] for i in keep] == [1, 1, 0, 0, 0, 0, 1]
    bert = _frozen_minilm(minilm_dir)
    heads = nemo_nlp.PunctCapitTokenClassifier(HIDDEN, punct_num_classes=3, capit_num_classes=2)
    punct_loss, capit_loss = (CrossEntropyLossNM(logits_ndim=3) for _ in range(2))
    ids, types, mask, loss_mask, sub_mask, punct_labels, capit_labels = layer()
    hidden = bert(input_ids=ids, token_type_ids=types, attention_mask=mask)
    punct_logits, capit_logits = heads(hidden_states=hidden)
    loss = LossAggregatorNM(num_inputs=2)(
        loss_1=punct_loss(logits=punct_logits, labels=punct_labels, loss_mask=loss_mask),
        loss_2=capit_loss(logits=capit_logits, labels=capit_labels, loss_mask=loss_mask))
    assert _falls(_train(nf, loss, 10))
    scores = _evaluate(
        [punct_logits, capit_logits, punct_labels, capit_labels, sub_mask],
        punctuation_capitalization.eval_iter_callback,
        lambda g: punctuation_capitalization.eval_epochs_done_callback(g, dataset.punct_label_ids,
                                                                      dataset.capit_label_ids))
    assert {"punct_accuracy", "punct_f1_.", "capit_accuracy", "capit_f1_U"} <= set(scores)
    assert all(0.0 <= value <= 1.0 for value in scores.values())


def test_joint_intent_slot_learns_and_reports_intent_accuracy_and_slot_f1(nlp_data, bert_tokenizer, minilm_dir,
                                                                          tmp_path):
    nf = nemo.core.NeuralModuleFactory(log_dir=str(tmp_path), random_seed=0)
    folder = os.path.join(nlp_data, "joint_intent_slot")
    intents, slots = read_names(os.path.join(folder, "dict.intents.csv")), read_names(os.path.join(folder,
                                                                                                 "dict.slots.csv"))
    layer = nemo_nlp.BertJointIntentSlotDataLayer(os.path.join(folder, "train.tsv"),
                                                  os.path.join(folder, "train_slots.tsv"), slots.index("O"),
                                                  bert_tokenizer, 32, batch_size=8)
    ids, types, mask, loss_mask, sub_mask, intent_ids, slot_ids = layer()
    assert intent_ids.ntype.axes[0].kind.name == "Batch" and len(intent_ids.ntype.axes) == 1
    bert = _frozen_minilm(minilm_dir)
    head = nemo_nlp.JointIntentSlotClassifier(HIDDEN, num_intents=len(intents), num_slots=len(slots))
    intent_logits, slot_logits = head(hidden_states=bert(input_ids=ids, token_type_ids=types, attention_mask=mask))
    loss = nemo_nlp.JointIntentSlotLoss(num_slots=len(slots))(
        intent_logits=intent_logits, slot_logits=slot_logits, loss_mask=loss_mask, intents=intent_ids,
        slots=slot_ids)
    assert _falls(_train(nf, loss, 10))
    scores = _evaluate([intent_logits, slot_logits, sub_mask, intent_ids, slot_ids],
                       joint_intent_slot.eval_iter_callback,
                       lambda g: joint_intent_slot.eval_epochs_done_callback(g, intents, slots))
    assert scores["intent_accuracy"] > 0.8
    assert 0.0 <= scores["slot_entity_f1"] <= 1.0 and "slot_accuracy" in scores


def test_bad_task_files_name_the_line(tmp_path, bert_tokenizer):
    (tmp_path / "q.tsv").write_text("sentence\tlabel\nbook a flight\tx\n")
    with pytest.raises(ValueError, match=r"q.tsv, line 2: expected 'SENTENCE<TAB>INTEGER_LABEL'"):
        nemo_nlp.BertTextClassificationDataLayer(str(tmp_path / "q.tsv"), bert_tokenizer, 16)
    (tmp_path / "t.txt").write_text("hello world\n")
    (tmp_path / "l.txt").write_text("OU O\n")
    with pytest.raises(ValueError, match=r"line 1: labels \['O'\] are not two letters"):
        nemo_nlp.BertPunctuationCapitalizationDataLayer(str(tmp_path / "t.txt"), str(tmp_path / "l.txt"),
                                                        bert_tokenizer, 16)


def test_ner_pipeline_trains_under_o1_on_cpu(nlp_data, bert_tokenizer, tmp_path):
    nf = nemo.core.NeuralModuleFactory(log_dir=str(tmp_path), random_seed=0, optimization_level="O1")
    layer = nemo_nlp.data.BertTokenClassificationDataLayer(
        dataset_type="BertCornellNERDataset", tokenizer=bert_tokenizer,
        input_file=os.path.join(nlp_data, "ner", "train.txt"), max_seq_length=32, batch_size=8)
    bert = nemo_nlp.huggingface.BERT(vocab_size=bert_tokenizer.vocab_size, hidden_size=32, num_hidden_layers=1,
                                     num_attention_heads=2, intermediate_size=64, max_position_embeddings=64)
    head = nemo_nlp.TokenClassifier(32, len(layer.dataset.tag_ids))
    ids, types, mask, labels, _ = layer()
    logits = head(hidden_states=bert(input_ids=ids, token_type_ids=types, attention_mask=mask))
    loss = nemo_nlp.TokenClassificationLoss(len(layer.dataset.tag_ids))(logits=logits, labels=labels,
                                                                        input_mask=mask)
    losses = _train(nf, loss, 12, lr=3e-3)
    assert all(torch.isfinite(torch.tensor(losses))) and _falls(losses)
    values = nf.infer([logits])[0]
    assert values[0].dtype in (torch.bfloat16, torch.float32) and values[0].shape[-1] == 9
