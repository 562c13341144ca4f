"""Classification/speaker decoders, crop-or-pad, angular softmax, top-k, confusion matrix and EER."""

import numpy as np
import pytest
import torch
from tensorboardX import SummaryWriter
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

import nemo_asr
from nemo_asr.classification_helpers import (
    process_classification_evaluation_batch,
    process_classification_evaluation_epoch,
    write_classification_results,
)
from nemo_asr.parts.classification_metrics import confusion_matrix, top_k_correct
from nemo_asr.parts.speaker_metrics import equal_error_rate


def test_classification_decoder_pools_valid_frames_only():
    torch.manual_seed(0)
    decoder = nemo_asr.JasperDecoderForClassification(feat_in=4, num_classes=3)
    x = torch.randn(2, 4, 10)
    padded = torch.cat([x[:1, :, :6], torch.full((1, 4, 4), 50.0)], dim=2)
    lengths = torch.tensor([6])
    expected = decoder.core.decoder_layers(x[:1, :, :6].mean(dim=2))
    assert torch.allclose(decoder(padded, lengths), expected, atol=1e-6)
    assert decoder(x).shape == (2, 3)
    probs = nemo_asr.JasperDecoderForClassification(feat_in=4, num_classes=3, return_logits=False,
                                                    pooling_type="max")(x)
    assert torch.allclose(probs.sum(dim=1), torch.ones(2))
    with pytest.raises(ValueError, match="pooling_type"):
        nemo_asr.JasperDecoderForClassification(feat_in=4, num_classes=3, pooling_type="mean")


@pytest.mark.parametrize("pool_mode,pooled", [("xvector", 8), ("gram", 16), ("superVector", 24)])
def test_speaker_decoder_shapes(pool_mode, pooled):
    decoder = nemo_asr.JasperDecoderForSpkrClass(feat_in=4, num_classes=5, emb_sizes=[6, 7], pool_mode=pool_mode)
    assert decoder.core.emb1.in_features == pooled
    logits, embs = decoder(torch.randn(3, 4, 12), torch.tensor([12, 8, 5]))
    assert logits.shape == (3, 5) and embs.shape == (3, 6)
    assert set(decoder.output_ports) == {"logits", "embs"}


def test_stats_pooling_matches_numpy():
    decoder = nemo_asr.JasperDecoderForSpkrClass(feat_in=2, num_classes=2, emb_sizes=[3, 3])
    x = torch.randn(1, 2, 9)
    pooled = decoder.core.pool(x, torch.tensor([5]))
    ref = x[0, :, :5].numpy()
    assert np.allclose(pooled[0].numpy(), np.concatenate([ref.mean(axis=1), ref.std(axis=1)]), atol=1e-5)


def test_crop_or_pad():
    crop = nemo_asr.CropOrPadSpectrogramAugmentation(audio_length=4)
    spec = torch.arange(2 * 3 * 10, dtype=torch.float32).reshape(2, 3, 10)
    crop.eval()
    out, out_len = crop(spec, torch.tensor([10, 6]))
    assert out.shape == (2, 3, 4) and out_len.tolist() == [4, 4]
    assert torch.equal(out[0], spec[0, :, 3:7]) and torch.equal(out[1], spec[1, :, 1:5])
    crop.train()
    torch.manual_seed(0)
    starts = {int(crop(spec, torch.tensor([10, 10]))[0][0, 0, 0]) for _ in range(30)}
    assert starts == set(range(7))                         # every window of the valid frames
    short, short_len = crop(spec[:, :, :3], torch.tensor([3, 2]))
    assert short.shape == (2, 3, 4) and short_len.tolist() == [3, 2] and short[:, :, 3].abs().sum() == 0


def test_angular_softmax_loss_against_hand_computation():
    cosines = torch.tensor([[0.6, 0.2], [0.1, 0.9]])
    labels = torch.tensor([0, 1])
    loss = nemo_asr.AngularSoftmaxLossNM(s=10.0, m=0.3)(logits=cosines, labels=labels)
    expected = []
    for row, y in zip(cosines.tolist(), labels.tolist()):
        target = 10 * np.cos(np.arccos(row[y]) + 0.3)
        others = [10 * c for i, c in enumerate(row) if i != y]
        expected.append(-(target - np.log(np.exp(target) + sum(np.exp(o) for o in others))))
    assert float(loss) == pytest.approx(np.mean(expected), rel=1e-5)
    core = nemo_asr.CrossEntropyLossNM()
    assert float(core(logits=cosines * 10, labels=labels)) < float(loss)   # the margin makes it harder


def test_top_k_and_confusion_matrix_and_tensorboard_image(tmp_path):
    logits = torch.tensor([[3.0, 2.0, 1.0], [1.0, 3.0, 2.0], [1.0, 2.0, 3.0], [3.0, 1.0, 2.0]])
    labels = torch.tensor([0, 2, 1, 2])
    assert top_k_correct(logits, labels, (1, 2, 3)).tolist() == [1, 4, 4]
    assert confusion_matrix(logits.argmax(1), labels, 3).tolist() == [[1, 0, 0], [0, 0, 1], [1, 1, 0]]
    global_vars = {}
    process_classification_evaluation_batch({"loss~1": [torch.tensor(0.5)], "logits~2": [logits],
                                             "label~3": [labels], "label_length~4": [torch.ones(4)]},
                                            global_vars, top_k=[1, 2])
    results = process_classification_evaluation_epoch(global_vars, tag="dev", labels=["a", "b", "c"])
    assert results["Evaluation_Accuracy_Top@1_dev"] == 0.25 and results["Evaluation_Accuracy_Top@2_dev"] == 1.0
    writer = SummaryWriter(str(tmp_path))
    write_classification_results(writer, results, 7, labels=["a", "b", "c"])
    writer.close()
    events = EventAccumulator(str(tmp_path), size_guidance={"images": 0})
    events.Reload()
    image, = events.Images("ConfusionMatrix_dev")
    assert image.step == 7 and image.width > 50 and image.height > 50


def test_equal_error_rate_against_hand_computed_example():
    # targets score 0.9, 0.8, 0.3; non-targets 0.5, 0.2, 0.1. Accepting scores >= 0.5 rejects one
    # target (0.3) and accepts one non-target (0.5): both error rates are 1/3 there.
    eer, threshold = equal_error_rate([1, 1, 1, 0, 0, 0], [0.9, 0.8, 0.3, 0.5, 0.2, 0.1])
    assert eer == pytest.approx(1 / 3, abs=1e-6) and threshold == pytest.approx(0.5, abs=1e-6)
    assert equal_error_rate([1, 1, 0, 0], [0.9, 0.8, 0.3, 0.2])[0] == pytest.approx(0.0, abs=1e-9)
    with pytest.raises(ValueError, match="both target"):
        equal_error_rate([1, 1], [0.2, 0.3])
