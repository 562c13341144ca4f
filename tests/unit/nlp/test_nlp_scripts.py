"""scripts/import_from_iob_format.py: CoNLL → text/labels files that the 0.10 data layer reads."""

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def test_import_from_iob_format_round_trips_the_ner_sample(nlp_data, tmp_path, bert_tokenizer):
    import nemo_nlp

    source = os.path.join(nlp_data, "ner", "dev.txt")
    result = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "import_from_iob_format.py"),
                             "--data_file", source, "--output_dir", str(tmp_path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "text_dev.txt").read_text().splitlines()
    labels = (tmp_path / "labels_dev.txt").read_text().splitlines()
    sentences = nemo_nlp.data.datasets.read_conll(source)
    assert len(text) == len(labels) == len(sentences) == 24
    assert text[0].split() == sentences[0][0] and labels[0].split() == sentences[0][1]
    layer = nemo_nlp.nm.data_layers.BertTokenClassificationDataLayer(
        text_file=str(tmp_path / "text_dev.txt"), label_file=str(tmp_path / "labels_dev.txt"),
        tokenizer=bert_tokenizer, max_seq_length=32, batch_size=4)
    assert len(layer) == 24


def test_get_nlp_data_converts_a_conll2003_layout(tmp_path):
    import nemo_nlp

    source = tmp_path / "src"
    source.mkdir()
    block = "-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\n\nPeter NNP B-NP B-PER\n"
    for name in ("eng.train", "eng.testa", "eng.testb"):
        (source / name).write_text(block)
    result = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "get_nlp_data.py"), "--dataset",
                             "conll2003", "--source_dir", str(source), "--out_dir", str(tmp_path / "out")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "dev.txt").read_text() == "EU\tB-ORG\nrejects\tO\n\nPeter\tB-PER\n\n"
    assert nemo_nlp.data.datasets.read_conll(str(tmp_path / "out" / "train.txt")) == [
        (["EU", "rejects"], ["B-ORG", "O"]), (["Peter"], ["B-PER"])]
