"""BERT pretraining from raw text: SentencePiece vocabulary from the same text, masked LM tied to
the input embeddings plus next-sentence prediction; the loss falls, and the tutorial's own-BERT
path (BERT(config_filename) + restore_from) reproduces the trained encoder."""

import os

import torch

import nemo
import nemo_nlp
from nemo.backends.pytorch.common import CrossEntropyLossNM, LossAggregatorNM


def test_pretraining_learns_and_the_checkpoint_serves_the_tutorial_path(nlp_data, tmp_path):
    text = os.path.join(nlp_data, "pretraining", "train.txt")
    model_path, _ = nemo_nlp.create_spt_model(text, vocab_size=150, sample_size=-1, do_lower_case=True,
                                              output_dir=str(tmp_path / "spt"))
    tokenizer = nemo_nlp.SentencePieceTokenizer(model_path=model_path)
    tokenizer.add_special_tokens(["[MASK]", "[CLS]", "[SEP]"])
    nf = nemo.core.NeuralModuleFactory(log_dir=str(tmp_path), random_seed=0)
    bert = nemo_nlp.huggingface.BERT(vocab_size=tokenizer.vocab_size, hidden_size=64, num_hidden_layers=2,
                                     num_attention_heads=2, intermediate_size=128, max_position_embeddings=64)
    mlm = nemo_nlp.BertTokenClassifier(hidden_size=64, num_classes=tokenizer.vocab_size)
    mlm.tie_weights_with(bert, weight_names=["mlp.last_linear_layer.weight"],
                         name2name_and_transform={"mlp.last_linear_layer.weight":
                                                  ("bert.embeddings.word_embeddings.weight",
                                                   nemo.core.WeightShareTransform.SAME)})
    nsp = nemo_nlp.SequenceClassifier(hidden_size=64, num_classes=2)
    layer = nemo_nlp.BertPretrainingDataLayer(tokenizer, text, max_seq_length=48, batch_size=16)
    ids, types, mask, output_ids, output_mask, nsp_labels = layer()
    hidden = bert(input_ids=ids, token_type_ids=types, attention_mask=mask)
    mlm_loss = nemo_nlp.MaskedLanguageModelingLossNM()(logits=mlm(hidden_states=hidden), output_ids=output_ids,
                                                       output_mask=output_mask)
    nsp_loss = CrossEntropyLossNM()(logits=nsp(hidden_states=hidden), labels=nsp_labels)
    loss = LossAggregatorNM(num_inputs=2)(loss_1=mlm_loss, loss_2=nsp_loss)
    losses = []
    logger = nemo.core.SimpleLossLoggerCallback(tensors=[mlm_loss], step_freq=1,
                                                print_func=lambda v: losses.append(v[0].item()))
    saver = nemo.core.CheckpointCallback(folder=str(tmp_path / "ckpt"), step_freq=40)
    nf.train([loss], callbacks=[logger, saver], optimizer="adam", optimization_params={"max_steps": 40, "lr": 3e-3})
    assert sum(losses[-5:]) / 5 < 0.92 * sum(losses[:5]) / 5, losses  # from ln(vocab) towards unigram entropy
    assert mlm.mlp.last_linear_layer.weight is bert.bert.embeddings.word_embeddings.weight  # still tied

    # The tutorial's "BERT you pre-trained yourself" snippet.
    bert.save_config(str(tmp_path / "bert_config.json"))
    own = nemo_nlp.huggingface.BERT(config_filename=str(tmp_path / "bert_config.json"))
    own.restore_from(str(tmp_path / "ckpt" / "BERT-STEP-40.pt"))
    sample = torch.tensor([[tokenizer.cls_id] + tokenizer.text_to_ids("robert lives in paris") + [tokenizer.sep_id]])
    inputs = dict(input_ids=sample, token_type_ids=torch.zeros_like(sample), attention_mask=torch.ones_like(sample))
    with torch.no_grad():
        assert torch.allclose(own.eval()(**inputs), bert.eval()(**inputs), atol=1e-5)
