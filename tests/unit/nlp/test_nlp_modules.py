"""NLP modules and losses against hand-computed values; BERT loading, config and checkpoints."""

import math

import pytest
import torch

import nemo
import nemo_nlp
from nemo.backends.pytorch.common import PretrainedModelInfo
from nemo_nlp.nm.trainables import get_pretrained_lm_model


def _tiny_bert(**kwargs):
    return nemo_nlp.huggingface.BERT(vocab_size=50, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                                     intermediate_size=32, max_position_embeddings=32, **kwargs)


def test_token_classification_loss_uses_mask_and_skips_ignored_labels():
    logits = torch.tensor([[[2.0, 0.0], [0.0, 1.0], [5.0, -5.0]]])
    labels = torch.tensor([[0, 1, -100]])
    loss = nemo_nlp.TokenClassificationLoss(num_classes=2)(logits=logits, labels=labels,
                                                          input_mask=torch.tensor([[1, 1, 1]]))
    expected = (math.log(1 + math.exp(-2.0)) + math.log(1 + math.exp(-1.0))) / 2
    assert loss.item() == pytest.approx(expected, rel=1e-6)
    masked = nemo_nlp.TokenClassificationLoss(num_classes=2)(logits=logits, labels=torch.tensor([[0, 1, 1]]),
                                                            loss_mask=torch.tensor([[1, 0, 0]]))
    assert masked.item() == pytest.approx(math.log(1 + math.exp(-2.0)), rel=1e-6)


def test_core_cross_entropy_with_loss_mask_matches_torch():
    torch.manual_seed(0)
    logits, labels = torch.randn(3, 5, 4), torch.randint(0, 4, (3, 5))
    mask = torch.rand(3, 5) > 0.4
    ce = nemo.backends.pytorch.common.CrossEntropyLossNM(logits_ndim=3)
    reference = torch.nn.functional.cross_entropy(logits[mask], labels[mask])
    assert ce(logits=logits, labels=labels, loss_mask=mask.long()).item() == pytest.approx(reference.item(), rel=1e-5)
    assert list(ce.input_ports) == ["logits", "labels", "loss_mask"]


def test_sequence_loss_skips_padding_and_smooths():
    log_probs = torch.log_softmax(torch.tensor([[[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]]]), dim=-1)
    targets = torch.tensor([[2, 0]])  # the second position is padding (pad_id=0)
    loss = nemo.backends.pytorch.common.SequenceLoss(pad_id=0)(log_probs=log_probs, targets=targets)
    assert loss.item() == pytest.approx(-log_probs[0, 0, 2].item(), rel=1e-6)
    smooth = nemo.backends.pytorch.common.SequenceLoss(pad_id=0, smoothing_coef=0.1)(log_probs=log_probs,
                                                                                     targets=targets)
    expected = 0.9 * -log_probs[0, 0, 2] - 0.1 * log_probs[0, 0].mean()
    assert smooth.item() == pytest.approx(expected.item(), rel=1e-6)


def test_mse_loss_takes_the_legacy_preds_labels_ports():
    x = nemo.backends.pytorch.tutorials.RealFunctionDataLayer(n=8, batch_size=4)()[0]
    mse = nemo.backends.pytorch.common.MSELoss()
    assert mse(preds=torch.tensor([1.0, 3.0]), labels=torch.tensor([0.0, 0.0])).item() == pytest.approx(5.0)
    with pytest.raises(nemo.core.ModuleCallError, match=r"\(preds, labels\)"):
        mse(preds=x)


def test_heads_shapes_zeros_like_and_default_init():
    hidden = torch.randn(2, 7, 16)
    head = nemo_nlp.TokenClassifier(hidden_size=16, num_classes=5, dropout=0.1)
    assert head(hidden_states=hidden).shape == (2, 7, 5)
    weight = head.mlp.last_linear_layer.weight
    assert weight.abs().max() > 0.1  # PyTorch's default uniform(±1/sqrt(16)), not N(0, 0.02)
    legacy = nemo_nlp.TokenClassifier(hidden_size=16, num_classes=5, use_transformer_init=True)
    assert legacy.mlp.last_linear_layer.weight.std().item() == pytest.approx(0.02, rel=0.5)
    assert nemo_nlp.SequenceClassifier(hidden_size=16, num_classes=3)(hidden_states=hidden).shape == (2, 3)
    mlp = nemo.backends.pytorch.common.MultiLayerPerceptron(hidden_size=16, num_classes=4, num_layers=3)
    out = mlp(hidden_states=hidden)
    assert out.shape == (2, 7, 4) and torch.allclose(out.exp().sum(-1), torch.ones(2, 7))
    zeros = nemo.backends.pytorch.common.ZerosLikeNM()(input_type_ids=torch.ones(2, 3, dtype=torch.long))
    assert zeros.dtype == torch.long and zeros.abs().sum() == 0


def test_bert_from_folder_reports_real_hidden_size(minilm_dir, bert_tokenizer):
    bert = nemo_nlp.huggingface.BERT(pretrained_model_name=minilm_dir)
    assert bert.local_parameters["hidden_size"] == 384 and bert.local_parameters["num_hidden_layers"] == 6
    ids = torch.tensor([bert_tokenizer.text_to_ids("[CLS] new york [SEP]")])
    with torch.no_grad():
        out = bert(input_ids=ids, token_type_ids=torch.zeros_like(ids), attention_mask=torch.ones_like(ids))
    assert out.shape == (1, 4, 384)


def test_bert_config_file_and_checkpoint_round_trip(tmp_path):
    trained = _tiny_bert()
    trained.save_config(str(tmp_path / "bert_config.json"))
    trained.save_to(str(tmp_path / "bert.pt"))
    rebuilt = get_pretrained_lm_model("unused", config=str(tmp_path / "bert_config.json"),
                                      checkpoint=str(tmp_path / "bert.pt"))
    ids = torch.tensor([[1, 5, 7, 2]])
    with torch.no_grad():
        args = dict(input_ids=ids, token_type_ids=torch.zeros_like(ids), attention_mask=torch.ones_like(ids))
        assert torch.allclose(trained.eval()(**args), rebuilt.eval()(**args))
    assert rebuilt.local_parameters["hidden_size"] == 16


def test_bert_missing_name_fails_fast_and_list_pretrained_models():
    with pytest.raises(OSError, match="nor in the local Hugging Face cache"):
        nemo_nlp.huggingface.BERT(pretrained_model_name="bert-base-cased-not-here")
    infos = nemo_nlp.huggingface.BERT.list_pretrained_models()
    assert all(isinstance(info, PretrainedModelInfo) for info in infos)
    assert "bert-base-uncased" in [info.pretrained_model_name for info in infos]


def test_mlm_head_ties_output_layer_to_input_embeddings():
    bert = _tiny_bert()
    mlm = nemo_nlp.BertTokenClassifier(hidden_size=16, num_classes=50)
    mlm.tie_weights_with(bert, weight_names=["mlp.last_linear_layer.weight"],
                         name2name_and_transform={"mlp.last_linear_layer.weight":
                                                  ("bert.embeddings.word_embeddings.weight",
                                                   nemo.core.WeightShareTransform.SAME)})
    assert mlm.mlp.last_linear_layer.weight is bert.bert.embeddings.word_embeddings.weight
    loss = nemo_nlp.MaskedLanguageModelingLossNM()(
        logits=mlm(hidden_states=torch.randn(1, 3, 16)), output_ids=torch.tensor([[4, 5, 6]]),
        output_mask=torch.tensor([[0, 1, 0]]))
    loss.backward()
    assert bert.bert.embeddings.word_embeddings.weight.grad[5].abs().sum() > 0


@pytest.mark.parametrize("config", [
    {"model_type": "distilbert", "vocab_size": 50, "dim": 16, "n_layers": 1, "n_heads": 2, "hidden_dim": 32},
    {"model_type": "roberta", "vocab_size": 50, "hidden_size": 16, "num_hidden_layers": 1, "num_attention_heads": 2,
     "intermediate_size": 32, "type_vocab_size": 1, "pad_token_id": 1},
    {"model_type": "albert", "vocab_size": 50, "embedding_size": 8, "hidden_size": 16, "num_hidden_layers": 1,
     "num_attention_heads": 2, "intermediate_size": 32},
])
def test_other_bert_family_models_take_the_same_ports(config, tmp_path):
    import json

    (tmp_path / "config.json").write_text(json.dumps(config))
    model = nemo_nlp.huggingface.BERT(config_filename=str(tmp_path / "config.json"))
    ids = torch.tensor([[3, 5, 7, 4]])
    segments = torch.tensor([[0, 0, 1, 1]])  # ignored by models without token types
    with torch.no_grad():
        out = model(input_ids=ids, token_type_ids=segments, attention_mask=torch.ones_like(ids))
    assert out.shape == (1, 4, 16)
    assert model.local_parameters["hidden_size"] == 16
