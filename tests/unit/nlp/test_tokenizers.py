"""Tokenizers: round trips, special ids, lower-casing from the model folder, SentencePiece training."""

import json
import os
import shutil
import time

import pytest

import nemo_nlp
from nemo_nlp.data.tokenizers import write_vocab
from nemo_nlp.utils import OfflineModelError


def test_bert_tokenizer_wordpieces_special_ids_and_round_trip(bert_tokenizer):
    tokens = bert_tokenizer.text_to_tokens("Jennifer is unaffable")
    assert tokens == ["jennifer", "is", "una", "##ffa", "##ble"]  # uncased model: lower-cased
    assert bert_tokenizer.do_lower_case is True
    ids = bert_tokenizer.text_to_ids("new york city")
    assert bert_tokenizer.ids_to_tokens(ids) == ["new", "york", "city"]
    assert bert_tokenizer.ids_to_text([bert_tokenizer.cls_id] + ids + [bert_tokenizer.sep_id]) == "new york city"
    assert bert_tokenizer.tokens_to_text(tokens) == "jennifer is unaffable"
    specials = (bert_tokenizer.pad_id, bert_tokenizer.unk_id, bert_tokenizer.cls_id, bert_tokenizer.sep_id,
                bert_tokenizer.mask_id)
    assert specials == (0, 100, 101, 102, 103)
    assert (bert_tokenizer.bos_id, bert_tokenizer.eos_id) == (101, 102)
    assert bert_tokenizer.vocab_size == 30522


def test_bert_tokenizer_lower_cases_exactly_when_the_folder_config_says_so(minilm_dir, tmp_path):
    for name in ("vocab.txt", "tokenizer_config.json", "special_tokens_map.json"):
        shutil.copy(os.path.join(minilm_dir, name), tmp_path / name)
    config = json.loads((tmp_path / "tokenizer_config.json").read_text())
    (tmp_path / "tokenizer_config.json").write_text(json.dumps(dict(config, do_lower_case=False)))
    cased = nemo_nlp.NemoBertTokenizer(str(tmp_path))
    assert cased.do_lower_case is False
    assert cased.text_to_tokens("York york") == ["[UNK]", "york"]  # 'York' is not in the uncased vocabulary
    from_vocab = nemo_nlp.NemoBertTokenizer(vocab_file=str(tmp_path / "vocab.txt"), do_lower_case=True)
    assert from_vocab.text_to_tokens("York") == ["york"]


def test_unknown_model_name_fails_fast_without_network():
    started = time.perf_counter()
    with pytest.raises(OfflineModelError, match="never downloads"):
        nemo_nlp.NemoBertTokenizer("no-such-org/no-such-bert")
    assert time.perf_counter() - started < 10


def test_sentencepiece_training_special_tokens_and_round_trip(nlp_data, tmp_path):
    model, vocab = nemo_nlp.create_spt_model(os.path.join(nlp_data, "pretraining", "train.txt"), vocab_size=120,
                                             sample_size=-1, do_lower_case=True, output_dir=str(tmp_path))
    assert os.path.isfile(model) and len(open(vocab).read().splitlines()) == 120
    assert sorted(os.listdir(tmp_path)) == ["tokenizer.model", "vocab.txt"]  # no temporaries left
    tokenizer = nemo_nlp.SentencePieceTokenizer(model_path=model)
    tokenizer.add_special_tokens(["[MASK]", "[CLS]", "[SEP]"])
    assert tokenizer.vocab_size == 123
    assert {tokenizer.mask_id, tokenizer.cls_id, tokenizer.sep_id} == {120, 121, 122}
    assert tokenizer.pad_id == 0 and tokenizer.unk_id == 1
    text = "robert smith lives in paris ."
    assert tokenizer.ids_to_text(tokenizer.text_to_ids(text)) == text
    assert tokenizer.text_to_tokens("Robert SMITH") == tokenizer.text_to_tokens("robert smith")  # case folded
    tokens = tokenizer.text_to_tokens("[CLS] paris [SEP]")
    assert tokens[0] == "[CLS]" and tokens[-1] == "[SEP]"
    assert tokenizer.tokens_to_ids(tokens)[0] == 121


def test_char_and_word_tokenizers_round_trip_and_map_unknowns(tmp_path):
    chars = nemo_nlp.CharTokenizer(write_vocab(list("abc "), str(tmp_path / "chars.txt")))
    assert chars.text_to_tokens("ab c") == ["a", "b", " ", "c"]
    assert chars.ids_to_text(chars.text_to_ids("ab c")) == "ab c"
    assert chars.text_to_ids("z") == [chars.unk_id] and chars.pad_id == 0
    words = nemo_nlp.WordTokenizer(write_vocab(["hello", "world"], str(tmp_path / "words.txt")))
    assert words.text_to_ids("hello world") == [4, 5]
    assert words.ids_to_text(words.text_to_ids("hello  world")) == "hello world"
    assert words.text_to_ids("hello there") == [4, words.unk_id]


def test_get_tokenizer_by_name(minilm_dir, tmp_path):
    assert isinstance(nemo_nlp.get_tokenizer("nemobert", pretrained_model_name=minilm_dir),
                      nemo_nlp.NemoBertTokenizer)
    vocab = write_vocab(["x"], str(tmp_path / "v.txt"))
    assert isinstance(nemo_nlp.get_tokenizer("word", vocab_file=vocab), nemo_nlp.WordTokenizer)
    with pytest.raises(ValueError, match="unknown tokenizer_name 'bpe'"):
        nemo_nlp.get_tokenizer("bpe")
    with pytest.raises(ValueError, match="needs tokenizer_model"):
        nemo_nlp.get_tokenizer("sentencepiece")
