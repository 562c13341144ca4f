"""Tacotron 2 modules: shapes, masks, several frames per step, gate targets, stopping."""

import torch

import nemo_tts

N_MEL = 8


def _decoder(cls=nemo_tts.Tacotron2Decoder, r=3, **kwargs):
    params = dict(n_mel_channels=N_MEL, n_frames_per_step=r, encoder_embedding_dim=16, prenet_dim=8,
                  attention_rnn_dim=12, decoder_rnn_dim=12, attention_dim=8, attention_location_n_filters=4,
                  attention_location_kernel_size=5, max_decoder_steps=7)
    params.update(kwargs)
    return cls(**params)


def test_text_embedding_and_encoder_shapes_and_padding():
    torch.manual_seed(0)
    embedding = nemo_tts.TextEmbedding(n_symbols=10, symbols_embedding_dim=16)
    encoder = nemo_tts.Tacotron2Encoder(encoder_n_convolutions=2, encoder_embedding_dim=16, encoder_kernel_size=3)
    encoder.eval()
    ids = torch.tensor([[1, 2, 3, 4, 5], [6, 7, 8, 0, 0]])
    lengths = torch.tensor([5, 3])
    embedded = embedding(ids)
    assert embedded.shape == (2, 16, 5)
    encoded = encoder(embedded, lengths)
    assert encoded.shape == (2, 5, 16)
    assert torch.all(encoded[1, 3:] == 0)
    # The LSTM's backward direction must not see the padding: the short item alone gives the same.
    alone = encoder(embedding(ids[1:, :3]), lengths[1:])
    assert torch.allclose(alone[0], encoded[1, :3], atol=1e-5)


def test_decoder_teacher_forcing_with_several_frames_per_step():
    torch.manual_seed(0)
    decoder = _decoder(r=3)
    memory = torch.randn(2, 6, 16)
    memory_len = torch.tensor([6, 4])
    target = torch.randn(2, N_MEL, 10)
    mel, gate, alignments = decoder(memory, memory_len, target)
    assert mel.shape == (2, N_MEL, 12) and gate.shape == (2, 12)
    assert alignments.shape == (2, 4, 6)
    assert torch.allclose(alignments.sum(-1), torch.ones(2, 4), atol=1e-5)
    assert torch.all(alignments[1, :, 4:] == 0)  # no attention on padded symbols
    # Outputs of step s depend only on target frames before s * r (teacher forcing, causal).
    changed = target.clone()
    changed[:, :, 6:] += 5.0
    torch.manual_seed(1)
    decoder.eval()
    decoder.force = True
    first = decoder(memory, memory_len, target)[0]
    torch.manual_seed(1)
    second = decoder(memory, memory_len, changed)[0]
    assert torch.allclose(first[:, :, :9], second[:, :, :9])
    assert not torch.allclose(first[:, :, 9:], second[:, :, 9:])


def test_decoder_infer_stops_on_gate_and_reports_mel_len():
    torch.manual_seed(0)
    infer = _decoder(nemo_tts.Tacotron2DecoderInfer, r=2)
    memory, memory_len = torch.randn(2, 5, 16), torch.tensor([5, 3])
    gate_layer = infer.decoder.gate_layer
    with torch.no_grad():
        gate_layer.weight.zero_()
        gate_layer.bias.copy_(torch.tensor([-50.0, 50.0]))  # second frame of the first step fires
    mel, gate, alignments, mel_len = infer(memory, memory_len)
    assert mel_len.tolist() == [2, 2] and mel.shape == (2, N_MEL, 2) and alignments.shape == (2, 1, 5)
    with torch.no_grad():
        gate_layer.bias.fill_(-50.0)  # never fires: runs max_decoder_steps
    mel, gate, alignments, mel_len = infer(memory, memory_len)
    assert mel_len.tolist() == [14, 14] and mel.shape == (2, N_MEL, 14) and gate.shape == (2, 14)


def test_decoder_in_eval_runs_free_unless_forced():
    torch.manual_seed(0)
    decoder = _decoder(r=2).eval()
    memory, memory_len, target = torch.randn(1, 4, 16), torch.tensor([4]), torch.randn(1, N_MEL, 4)
    with torch.no_grad():
        decoder.decoder.gate_layer.bias.fill_(-50.0)
    assert decoder(memory, memory_len, target)[0].shape[2] == 14  # free running to max_decoder_steps
    decoder.force = True
    assert decoder(memory, memory_len, target)[0].shape[2] == 4


def test_postnet_is_residual_and_keeps_shape():
    postnet = nemo_tts.Tacotron2Postnet(n_mel_channels=N_MEL, postnet_embedding_dim=16, postnet_n_convolutions=3)
    mel = torch.randn(2, N_MEL, 9)
    out = postnet(mel)
    assert out.shape == mel.shape
    with torch.no_grad():
        postnet.postnet.convolutions.layers[-1][1].weight.zero_()
        postnet.postnet.convolutions.layers[-1][1].bias.zero_()
    assert torch.allclose(postnet(mel), mel)


def test_make_gate_marks_last_frame_and_padding():
    gate = nemo_tts.MakeGate()(torch.tensor([3, 5]), torch.zeros(2, N_MEL, 6))
    assert gate.tolist() == [[0, 0, 1, 1, 1, 1], [0, 0, 0, 0, 1, 1]]


def test_attention_end_window_ignores_a_gate_firing_before_the_last_symbols():
    torch.manual_seed(0)
    infer = _decoder(nemo_tts.Tacotron2DecoderInfer, r=2, attention_end_window=1)
    with torch.no_grad():
        infer.decoder.attention_layer.v.weight.zero_()  # uniform attention: the peak stays on symbol 0
        infer.decoder.gate_layer.weight.zero_()
        infer.decoder.gate_layer.bias.fill_(50.0)  # the gate always fires
    memory, memory_len = torch.randn(2, 5, 16), torch.tensor([5, 1])
    mel_len = infer(memory, memory_len)[3]
    assert mel_len.tolist() == [14, 1]  # the one-symbol item is at its end at once; the other never
