"""QuartzNet on real AN4 speech: the CTC loss falls, transcripts change, checkpoints restore."""

import glob
import os

import pytest
import torch
from ruamel.yaml import YAML

import nemo
import nemo_asr
from nemo_asr.helpers import post_process_predictions

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
AN4 = os.path.join(ROOT, "tests", "data", "an4")


def _config():
    with open(os.path.join(ROOT, "examples", "asr", "configs", "quartznet_an4.yaml")) as handle:
        return YAML(typ="safe").load(handle)


def _modules(config):
    labels = config["labels"]
    encoder = nemo_asr.JasperEncoder(feat_in=64, **config["JasperEncoder"])
    decoder = nemo_asr.JasperDecoderForCTC(feat_in=config["JasperEncoder"]["jasper"][-1]["filters"],
                                           num_classes=len(labels))
    return encoder, decoder


def _dag(manifest, labels, encoder, decoder, shuffle):
    layer = nemo_asr.AudioToTextDataLayer(manifest_filepath=manifest, labels=labels, batch_size=10, shuffle=shuffle)
    audio, audio_len, text, text_len = layer()
    spec, spec_len = nemo_asr.AudioToMelSpectrogramPreprocessor(dither=0.0)(input_signal=audio, length=audio_len)
    encoded, encoded_len = encoder(audio_signal=spec, length=spec_len)
    log_probs = decoder(encoder_output=encoded)
    predictions = nemo_asr.GreedyCTCDecoder()(log_probs=log_probs)
    loss = nemo_asr.CTCLossNM(num_classes=len(labels))(log_probs=log_probs, targets=text,
                                                      input_length=encoded_len, target_length=text_len)
    return loss, predictions, log_probs


@pytest.mark.slow
def test_training_lowers_ctc_loss_and_restore_reproduces_inference(tmp_path):
    torch.manual_seed(0)
    config = _config()
    labels = config["labels"]
    nf = nemo.core.NeuralModuleFactory(placement=nemo.core.DeviceType.CPU, log_dir=str(tmp_path), random_seed=0)
    encoder, decoder = _modules(config)
    train_manifest = os.path.join(AN4, "train_manifest.json")
    loss, predictions, _ = _dag(train_manifest, labels, encoder, decoder, shuffle=True)
    eval_loss, eval_predictions, _ = _dag(train_manifest, labels, encoder, decoder, shuffle=False)

    losses_before, preds_before = nf.infer([eval_loss, eval_predictions])
    ckpt = str(tmp_path / "ckpt")
    nf.train([loss], callbacks=[nemo.core.CheckpointCallback(folder=ckpt, step_freq=1000)], optimizer="adam",
             optimization_params={"max_steps": 60, "lr": 3e-3})
    losses_after, preds_after = nf.infer([eval_loss, eval_predictions])

    before = torch.stack(losses_before).mean().item()
    after = torch.stack(losses_after).mean().item()
    assert after <= 0.5 * before, (before, after)
    assert post_process_predictions(preds_before, labels) != post_process_predictions(preds_after, labels)

    test_manifest = os.path.join(AN4, "test_manifest.json")
    _, _, log_probs = _dag(test_manifest, labels, encoder, decoder, shuffle=False)
    expected = nf.infer([log_probs])[0]
    fresh_encoder, fresh_decoder = _modules(config)
    fresh_encoder.restore_from(glob.glob(os.path.join(ckpt, "JasperEncoder-STEP-60.pt"))[0])
    fresh_decoder.restore_from(glob.glob(os.path.join(ckpt, "JasperDecoderForCTC-STEP-60.pt"))[0])
    _, _, fresh_log_probs = _dag(test_manifest, labels, fresh_encoder, fresh_decoder, shuffle=False)
    restored = nf.infer([fresh_log_probs])[0]
    assert all(torch.allclose(a, b, atol=1e-5) for a, b in zip(expected, restored))
