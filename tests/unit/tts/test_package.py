"""``nemo.collections.tts`` is the ``nemo_tts`` package; the text data layer keeps case and punctuation."""

import pytest

import nemo_tts


def test_later_legacy_import_path():
    import nemo.collections.tts as tts

    assert tts is nemo_tts and tts.Tacotron2Decoder is nemo_tts.Tacotron2Decoder


def test_text_data_layer_from_lines_keeps_case_and_names_unknown_characters(tmp_path):
    path = tmp_path / "lines.txt"
    path.write_text("Hi, Bob!\n\n{\"text\": \"ok?\"}\n")
    labels = list(" ,!?BHbiko")
    layer = nemo_tts.TextDataLayer(str(path), labels, batch_size=2, bos_id=10, eos_id=11, pad_id=12)
    assert layer.sentences == ["Hi, Bob!", "ok?"]
    ids, lengths = layer.dataset.collate_fn([layer.dataset[0], layer.dataset[1]])
    assert lengths.tolist() == [10, 5]
    assert "".join(labels[i] for i in ids[0, 1:9].tolist()) == "Hi, Bob!"
    assert ids[1].tolist() == [10, labels.index("o"), labels.index("k"), labels.index("?"), 11, 12, 12, 12, 12, 12]
    with pytest.raises(ValueError, match="'x'"):
        nemo_tts.TextDataLayer(["box"], labels, batch_size=1, bos_id=10, eos_id=11, pad_id=12)
