"""Learning on the bundled clips: commands overfit, speaker embeddings separate voices, VAD finds speech."""

import os

import librosa
import numpy as np
import pytest
import soundfile as sf
import torch

import nemo
import nemo_asr
from nemo_asr.frame_vad import FrameVAD
from nemo_asr.parts.speaker_metrics import cosine_scores
from tests.unit.asr.classification_fixtures import SC, SPK, SR, tiny_encoder, write_noise_files

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


def mfcc():
    return nemo_asr.AudioToMFCCPreprocessor(window_size=0.025, window_stride=0.01, n_mels=40, n_mfcc=40, n_fft=512)


def classifier_dag(layer, preprocessor, encoder, decoder, crop=None):
    audio, audio_len, label, _ = layer()
    spec, spec_len = preprocessor(input_signal=audio, length=audio_len)
    if crop is not None:
        spec, spec_len = crop(input_signal=spec, length=spec_len)
    encoded, encoded_len = encoder(audio_signal=spec, length=spec_len)
    return decoder(encoder_output=encoded, encoded_lengths=encoded_len), label


@pytest.mark.slow
def test_command_classifier_overfits_the_ten_clips(tmp_path):
    manifests = ",".join(os.path.join(SC, f"{s}_manifest.json") for s in ("train", "test"))
    nf = nemo.core.NeuralModuleFactory(log_dir=str(tmp_path), random_seed=0)
    layer = nemo_asr.AudioToSpeechLabelDataLayer(manifest_filepath=manifests, labels=["cat", "dog"], batch_size=10,
                                                 time_length=1.0)
    prep, encoder = mfcc(), tiny_encoder(40)
    decoder = nemo_asr.JasperDecoderForClassification(feat_in=32, num_classes=2)
    logits, label = classifier_dag(layer, prep, encoder, decoder)
    loss = nemo_asr.CrossEntropyLossNM()(logits=logits, labels=label)
    losses = []
    nf.train([loss], optimizer="adam", optimization_params={"max_steps": 40, "lr": 0.01}, callbacks=[
        nemo.core.SimpleLossLoggerCallback(tensors=[loss], step_freq=1, print_func=lambda v: losses.append(float(v[0].detach())))])
    assert losses[-1] < 0.1 * losses[0]
    eval_layer = nemo_asr.AudioToSpeechLabelDataLayer(manifest_filepath=manifests, labels=["cat", "dog"],
                                                      batch_size=10, shuffle=False)
    eval_logits, eval_label = classifier_dag(eval_layer, prep, encoder, decoder)
    values, labels = nf.infer([eval_logits, eval_label])
    accuracy = nemo_asr.helpers.classification_accuracy(torch.cat(values), torch.cat(labels))
    assert accuracy == [1.0]


def test_speaker_embeddings_of_one_voice_are_closer(tmp_path):
    nf = nemo.core.NeuralModuleFactory(log_dir=str(tmp_path), random_seed=0)
    speakers = ["fash", "ffmm"]
    layer = nemo_asr.AudioToSpeechLabelDataLayer(manifest_filepath=os.path.join(SPK, "train_manifest.json"),
                                                 labels=speakers, batch_size=10, time_length=1.0)
    prep = nemo_asr.AudioToMelSpectrogramPreprocessor(features=40, n_fft=512, dither=0.0)
    encoder = tiny_encoder(40)
    decoder = nemo_asr.JasperDecoderForSpkrClass(feat_in=32, num_classes=2, emb_sizes=[32, 32])
    (logits, _), label = classifier_dag(layer, prep, encoder, decoder)
    loss = nemo_asr.CrossEntropyLossNM()(logits=logits, labels=label)
    nf.train([loss], optimizer="adam", optimization_params={"max_steps": 40, "lr": 0.01})
    eval_layer = nemo_asr.AudioToSpeechLabelDataLayer(manifest_filepath=os.path.join(SPK, "all_manifest.json"),
                                                      labels=speakers, batch_size=1, shuffle=False)
    (_, embs), eval_label = classifier_dag(eval_layer, prep, encoder, decoder)
    values, labels = nf.infer([embs, eval_label])
    embeddings, speaker = torch.cat(values).numpy(), torch.cat(labels).numpy()
    first, second = np.triu_indices(len(speaker), k=1)
    scores = cosine_scores(embeddings[first], embeddings[second])
    same = speaker[first] == speaker[second]
    assert scores[same].mean() > scores[~same].mean() + 0.1
    # the dev utterances (never trained on) are closer to their own speaker's training utterances
    for row in (2, 11):   # an254-fash (dev: all_manifest line 3), cen6-ffmm (line 12)
        own = [cosine_scores(embeddings[[row]], embeddings[[j]])[0] for j in range(12) if j != row and
               speaker[j] == speaker[row]]
        other = [cosine_scores(embeddings[[row]], embeddings[[j]])[0] for j in range(12) if speaker[j] != speaker[row]]
        assert np.mean(own) > np.mean(other)


@pytest.mark.slow
def test_vad_finds_speech_between_silence_and_noise(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(os.path.join(ROOT, "scripts"))
    import process_vad_data

    window = 0.4
    noise_dir = write_noise_files(str(tmp_path / "noise"))
    manifests = ",".join(os.path.join(SC, f"{s}_manifest.json") for s in ("train", "test"))
    process_vad_data.main(["--speech_manifest", manifests, "--background_dir", noise_dir, "--out_manifest",
                           str(tmp_path / "vad.json"), "--window", str(window), "--shift", "0.05",
                           "--background_shift", "0.1"])
    nf = nemo.core.NeuralModuleFactory(log_dir=str(tmp_path), random_seed=0)
    layer = nemo_asr.AudioToSpeechLabelDataLayer(manifest_filepath=str(tmp_path / "vad.json"),
                                                 labels=["background", "speech"], batch_size=32, time_length=window)
    prep, encoder = mfcc(), tiny_encoder(40)
    crop = nemo_asr.CropOrPadSpectrogramAugmentation(audio_length=int(window * 100) + 1)
    decoder = nemo_asr.JasperDecoderForClassification(feat_in=32, num_classes=2)
    logits, label = classifier_dag(layer, prep, encoder, decoder, crop)
    loss = nemo_asr.CrossEntropyLossNM()(logits=logits, labels=label)
    nf.train([loss], optimizer="adam", optimization_params={"max_steps": 150, "lr": 0.01})

    speech, _ = sf.read(os.path.join(SC, "dog", "0ab3b47d_nohash_0.wav"), dtype="float32")
    speech, _ = librosa.effects.trim(speech, top_db=30)       # the same energy rule that labelled the windows
    rng = np.random.default_rng(1)
    silence = (1e-4 * rng.standard_normal(SR)).astype(np.float32)
    noise = (0.01 * rng.standard_normal(SR)).astype(np.float32)
    recording = torch.from_numpy(np.concatenate([silence, speech, noise]))
    truth = (1.0, 1.0 + len(speech) / SR)
    vad = FrameVAD(prep, encoder, decoder, crop=crop, window=window, shift=0.01)
    segments = vad.segments(recording, onset=0.5, offset=0.3, smoothing_frames=5)
    assert len(segments) == 1, segments
    (start, end), = segments
    assert abs(start - truth[0]) < 0.1 and abs(end - truth[1]) < 0.1, (segments, truth)
