"""Evaluation callbacks and metrics against hand-computed examples."""

import pytest
import torch

import nemo_nlp
from nemo_nlp.utils.callbacks import ner
from nemo_nlp.utils.metrics import class_scores, entity_scores


def test_entity_scores_by_hand():
    gold = [["B-PER", "I-PER", "O", "B-LOC"], ["B-ORG", "O"]]
    pred = [["B-PER", "I-PER", "O", "O"], ["B-ORG", "B-LOC"]]
    scores, report = entity_scores(gold, pred)
    # gold entities: PER, LOC, ORG; predicted: PER, ORG, LOC(wrong) -> tp 2, precision 2/3, recall 2/3
    assert scores["precision"] == pytest.approx(2 / 3) and scores["recall"] == pytest.approx(2 / 3)
    assert scores["f1"] == pytest.approx(2 / 3)
    assert "PER" in report and "LOC" in report


def test_class_scores_by_hand():
    scores, report = class_scores([0, 0, 1, 1], [0, 1, 1, 1], ["neg", "pos"])
    assert scores["accuracy"] == 0.75
    assert scores["f1_neg"] == pytest.approx(2 / 3) and scores["f1_pos"] == pytest.approx(0.8)
    assert scores["macro_f1"] == pytest.approx((2 / 3 + 0.8) / 2)
    assert "neg" in report


def test_ner_callbacks_score_first_sub_tokens_and_write_predictions(tmp_path, bert_tokenizer):
    path = tmp_path / "dev.txt"
    path.write_text("Jennifer\tB-PER\nunaffable\tO\n\nNew\tB-LOC\nYork\tI-LOC\n")
    layer = nemo_nlp.data.BertTokenClassificationDataLayer(
        tokenizer=bert_tokenizer, input_file=str(path), max_seq_length=16, batch_size=2)
    tags = layer.dataset.tag_ids  # O 0, B-LOC 1, B-PER 2, I-LOC 3
    # positions: [CLS] jennifer una ##ffa ##ble [SEP] / [CLS] new york [SEP] <pad> <pad>
    wanted = [[0, 2, 0, 2, 2, 0], [0, 1, 1, 0, 0, 0]]  # sub-tokens after the first must not count
    logits = torch.nn.functional.one_hot(torch.tensor(wanted), num_classes=4).float()
    global_vars = {}
    ner.eval_iter_callback({"logits~~~TokenClassifier0~~~call1": [logits], "seq_ids~~~L0": [torch.tensor([0, 1])]},
                           global_vars, layer, tags)
    output = tmp_path / "output.txt"
    scores = ner.eval_epochs_done_callback(global_vars, tags, str(output))
    # PER right; LOC predicted as B-LOC B-LOC (two entities, both wrong) -> precision 1/3, recall 1/2
    assert scores["precision"] == pytest.approx(1 / 3) and scores["recall"] == pytest.approx(0.5)
    assert output.read_text() == ("Jennifer\tB-PER\tB-PER\nunaffable\tO\tO\n\n"
                                  "New\tB-LOC\tB-LOC\nYork\tI-LOC\tB-LOC\n\n")
