"""Token classification data: CoNLL reading, first-sub-token labels, masks, per-batch padding, seq_ids."""

import os

import pytest
import torch

import nemo_nlp
from nemo_nlp.data.datasets import LabelledTextError, read_conll, read_text_and_labels


def _conll(tmp_path, text):
    path = tmp_path / "train.txt"
    path.write_text(text)
    return str(path)


def test_read_conll_ends_sentences_at_blank_or_whitespace_lines(tmp_path):
    path = _conll(tmp_path, "-DOCSTART- -X- O O\n\nJennifer NNP B-NP B-PER\nis\tO\n \t \nNew\tB-LOC\nYork\tI-LOC\n")
    assert read_conll(path) == [(["Jennifer", "is"], ["B-PER", "O"]), (["New", "York"], ["B-LOC", "I-LOC"])]


def test_read_conll_names_file_and_line_of_a_bad_line(tmp_path):
    path = _conll(tmp_path, "Jennifer\tB-PER\nis\n")
    with pytest.raises(LabelledTextError, match=r"train.txt, line 2: expected 'WORD<TAB>LABEL'"):
        read_conll(path)


def test_text_and_label_files_must_agree(tmp_path):
    (tmp_path / "t.txt").write_text("a b c\n")
    (tmp_path / "l.txt").write_text("O O\n")
    with pytest.raises(LabelledTextError, match="line 1: 3 words but 2 labels"):
        read_text_and_labels(str(tmp_path / "t.txt"), str(tmp_path / "l.txt"))


def test_tutorial_form_labels_first_sub_token_only(tmp_path, bert_tokenizer):
    path = _conll(tmp_path, "Jennifer\tB-PER\nis\tO\nunaffable\tO\n\nNew\tB-LOC\nYork\tI-LOC\n")
    layer = nemo_nlp.data.BertTokenClassificationDataLayer(
        dataset_type="BertCornellNERDataset", tokenizer=bert_tokenizer, input_file=path, max_seq_length=16,
        batch_size=2)
    assert list(layer.output_ports) == ["input_ids", "input_type_ids", "input_mask", "labels", "seq_ids"]
    tags = layer.dataset.tag_ids
    assert tags == {"O": 0, "B-LOC": 1, "B-PER": 2, "I-LOC": 3}
    input_ids, type_ids, mask, labels, seq_ids = layer.dataset.collate_fn([layer.dataset[0], layer.dataset[1]])
    # [CLS] jennifer is una ##ffa ##ble [SEP]  /  [CLS] new york [SEP] + padding to the batch's longest (7)
    assert input_ids.shape == (2, 7)
    assert bert_tokenizer.ids_to_tokens(input_ids[0].tolist()) == [
        "[CLS]", "jennifer", "is", "una", "##ffa", "##ble", "[SEP]"]
    assert labels[0].tolist() == [-100, 2, 0, 0, -100, -100, -100]
    assert labels[1].tolist() == [-100, 1, 3, -100, -100, -100, -100]
    assert mask.tolist() == [[1] * 7, [1, 1, 1, 1, 0, 0, 0]]
    assert input_ids[1, 4:].tolist() == [bert_tokenizer.pad_id] * 3
    assert type_ids.abs().sum() == 0 and seq_ids.tolist() == [0, 1]
    assert layer.dataset.aligned[0].first_positions() == [1, 2, 3]
    assert layer.shuffle and len(layer) == 2


def test_v010_form_masks_and_truncation(tmp_path, bert_tokenizer):
    (tmp_path / "text.txt").write_text("Jennifer is unaffable\nNew York\n")
    (tmp_path / "labels.txt").write_text("B-PER O O\nB-LOC I-LOC\n")
    layer = nemo_nlp.nm.data_layers.BertTokenClassificationDataLayer(
        text_file=str(tmp_path / "text.txt"), label_file=str(tmp_path / "labels.txt"), tokenizer=bert_tokenizer,
        max_seq_length=5, batch_size=2, shuffle=False)
    assert list(layer.output_ports) == ["input_ids", "input_type_ids", "input_mask", "loss_mask", "subtokens_mask",
                                        "labels"]
    _, _, mask, loss_mask, subtokens_mask, labels = layer.dataset.collate_fn([layer.dataset[0], layer.dataset[1]])
    # max_seq_length 5: [CLS] jennifer is una [SEP] (the rest of 'unaffable' is cut)
    assert subtokens_mask[0].tolist() == [0, 1, 1, 1, 0]
    assert loss_mask[0].tolist() == [0, 1, 1, 1, 0]
    assert labels[0].tolist() == [0, 2, 0, 0, 0]
    assert loss_mask[1].tolist() == [0, 1, 1, 0, 0] and mask[1].tolist() == [1, 1, 1, 1, 0]


def test_eval_layer_takes_training_label_ids_and_rejects_unknown_labels(tmp_path, bert_tokenizer):
    path = _conll(tmp_path, "Paris\tB-LOC\n")
    layer = nemo_nlp.data.BertTokenClassificationDataLayer(
        tokenizer=bert_tokenizer, input_file=path, max_seq_length=8, batch_size=1, tag_ids={"O": 0, "B-LOC": 5})
    assert layer.dataset.collate_fn([layer.dataset[0]])[3].tolist() == [[-100, 5, -100]]
    with pytest.raises(LabelledTextError, match=r"label\(s\) \['B-LOC'\] not in the label ids"):
        nemo_nlp.data.BertTokenClassificationDataLayer(
            tokenizer=bert_tokenizer, input_file=path, max_seq_length=8, batch_size=1, tag_ids={"O": 0})


def test_bundled_ner_sample_batches(nlp_data, bert_tokenizer):
    layer = nemo_nlp.data.BertTokenClassificationDataLayer(
        dataset_type="BertCornellNERDataset", tokenizer=bert_tokenizer,
        input_file=os.path.join(nlp_data, "ner", "train.txt"), max_seq_length=32, batch_size=8)
    assert len(layer) == 64
    batch = layer.dataset.collate_fn([layer.dataset[i] for i in range(8)])
    lengths = batch[2].sum(dim=1)
    assert batch[0].shape[1] == int(lengths.max()) < 32  # padded to the batch's longest, not max_seq_length
    assert torch.equal((batch[3] >= 0).sum(dim=1), torch.tensor([len(layer.dataset.sentences[i][0]) for i in range(8)]))
