"""Jasper/QuartzNet parts, the shipped model configs, and the ASR metric helpers."""
import os

import pytest
import torch
from ruamel.yaml import YAML

from nemo_asr.parts.conv_blocks import MaskedConv1d, SqueezeExcite, scale_kernel
from nemo_asr.parts.jasper import JasperBlock, JasperDecoderCore, JasperEncoderCore
from nemo_asr.parts.metrics import ctc_greedy_decode, ids_to_text, word_error_rate

CONFIGS = os.path.join(os.path.dirname(__file__), "..", "..", "..", "examples", "asr", "configs")
LABELS = [" "] + [chr(c) for c in range(ord("a"), ord("z") + 1)] + ["'"]
EXPECTED_MILLIONS = {
    "quartznet15x5.yaml": 18.9,
    "quartznet10x5.yaml": 12.8,
    "quartznet5x5.yaml": 6.7,
    "jasper10x5dr.yaml": 333.0,
}
ALL_CONFIGS = sorted(list(EXPECTED_MILLIONS) + [
    "jasper12x1SEP.yaml", "jasper15x5SEP.yaml", "jasper_an4.yaml", "quartznet_an4.yaml"])

# A small encoder touching every feature that meets the time axis.
MIXED_BLOCKS = [
    dict(filters=32, repeat=1, kernel=[11], stride=[2], dilation=[1], dropout=0.1, residual=False),
    dict(filters=32, repeat=2, kernel=[7], stride=[1], dilation=[1], dropout=0.1, residual=True,
         separable=True, se=True, se_reduction_ratio=4, residual_dense=True),
    dict(filters=48, repeat=2, kernel=[5], stride=[1], dilation=[1], dropout=0.1, residual=True,
         residual_dense=True, groups=4),
    dict(filters=48, repeat=1, kernel=[9], stride=[1], dilation=[2], dropout=0.1, residual=False),
]


@pytest.fixture(autouse=True)
def single_thread():
    """Tiny models run fastest on one thread, and do not stall on a busy machine."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def load_config(name):
    with open(os.path.join(CONFIGS, name)) as handle:
        return YAML(typ="safe").load(handle)


def build(cfg, device="cpu"):
    with torch.device(device):
        encoder = JasperEncoderCore(feat_in=cfg["AudioToMelSpectrogramPreprocessor"]["features"],
                                    **cfg["JasperEncoder"])
        decoder = JasperDecoderCore(cfg["JasperDecoderForCTC"]["feat_in"], len(cfg["labels"]))
    return encoder, decoder


def count(*modules):
    return sum(p.numel() for module in modules for p in module.parameters())


def randomized_eval_encoder(**kwargs):
    torch.manual_seed(0)
    encoder = JasperEncoderCore(MIXED_BLOCKS, "relu", 16, **kwargs)
    for module in encoder.modules():
        if isinstance(module, torch.nn.BatchNorm1d):
            module.running_mean.uniform_(-1, 1)
            module.running_var.uniform_(0.5, 2)
            module.bias.data.uniform_(-0.5, 0.5)
    return encoder.eval()


@pytest.mark.parametrize("name", sorted(EXPECTED_MILLIONS))
def test_parameter_counts(name):
    encoder, decoder = build(load_config(name), device="meta")
    assert count(encoder, decoder) / 1e6 == pytest.approx(EXPECTED_MILLIONS[name], rel=0.02)


@pytest.mark.parametrize("name", ALL_CONFIGS)
def test_config_layout(name):
    cfg = load_config(name)
    assert cfg["sample_rate"] == 16000 and cfg["labels"] == LABELS
    assert {"train", "eval"} <= set(cfg["AudioToTextDataLayer"])
    pre = cfg["AudioToMelSpectrogramPreprocessor"]
    assert (pre["features"], pre["n_fft"], pre["window"], pre["stft_conv"]) == (64, 512, "hann", False)
    assert "SpectrogramAugmentation" in cfg and cfg["JasperEncoder"]["conv_mask"] is True
    encoder, decoder = build(cfg, device="meta")
    assert encoder.feat_out == cfg["JasperDecoderForCTC"]["feat_in"]
    if name.endswith("_an4.yaml"):
        assert count(encoder, decoder) < 1.0e6
        assert cfg["JasperEncoder"]["jasper"][0]["stride"] == [2]


@pytest.mark.parametrize("residual_mode", ["add", "stride_add"])
def test_padded_batch_matches_single_utterances(residual_mode):
    encoder = randomized_eval_encoder(residual_mode=residual_mode)
    lengths = torch.tensor([57, 40, 23])
    signal = torch.randn(3, 16, 60)
    with torch.no_grad():
        batch_out, batch_len = encoder(signal, lengths)
        for i, length in enumerate(lengths.tolist()):
            single, single_len = encoder(signal[i:i + 1, :, :length], lengths[i:i + 1])
            assert single.shape[2] == single_len.item() == batch_len[i].item()
            torch.testing.assert_close(batch_out[i, :, :single_len.item()], single[0],
                                       atol=1e-5, rtol=0)


def test_without_mask_padding_leaks_into_valid_frames():
    encoder = randomized_eval_encoder(conv_mask=False)
    signal = torch.randn(1, 16, 60)
    with torch.no_grad():
        padded, lengths = encoder(signal, torch.tensor([40]))
        alone, _ = encoder(signal[:, :, :40], torch.tensor([40]))
    assert not torch.allclose(padded[0, :, :lengths.item()], alone[0], atol=1e-5)


@pytest.mark.parametrize("kernel,stride,padding,dilation", [
    (11, 2, 5, 1), (33, 2, 16, 1), (4, 2, 1, 1), (1, 2, 0, 1), (9, 1, 8, 2), (3, 3, 0, 1)])
def test_masked_conv_length_arithmetic(kernel, stride, padding, dilation):
    conv = MaskedConv1d(3, 5, kernel, stride=stride, padding=padding, dilation=dilation)
    for length in (1, 2, 7, 16, 101):
        if length + 2 * padding < dilation * (kernel - 1) + 1:
            continue
        out, new_len = conv(torch.randn(1, 3, length), torch.tensor([length]))
        expected = (length + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1
        assert new_len.item() == expected == out.shape[2]


def test_encoder_shapes_with_stride_two():
    encoder = JasperEncoderCore(MIXED_BLOCKS, "relu", 16).eval()
    out, lengths = encoder(torch.randn(2, 16, 101), torch.tensor([101, 50]))
    assert out.shape == (2, 48, 51)
    assert lengths.tolist() == [51, 25]
    assert [len(block.res or []) for block in encoder.encoder] == [0, 1, 2, 0]


def test_frame_splicing_multiplies_input_features():
    encoder = JasperEncoderCore(MIXED_BLOCKS[:1], "relu", 16, frame_splicing=3)
    out, _ = encoder(torch.randn(1, 48, 20), torch.tensor([20]))
    assert out.shape == (1, 32, 10)


def test_decoder_outputs_log_probs_with_blank_last():
    decoder = JasperDecoderCore(feat_in=8, num_classes=len(LABELS))
    log_probs = decoder(torch.randn(2, 8, 13))
    assert log_probs.shape == (2, 13, len(LABELS) + 1)
    torch.testing.assert_close(log_probs.exp().sum(-1), torch.ones(2, 13))
    assert decoder.blank_id == len(LABELS)
    with torch.no_grad():
        decoder.decoder_layers[0].bias.zero_()
        decoder.decoder_layers[0].bias[-1] = 100.0
    argmax = decoder(torch.zeros(1, 8, 5)).argmax(-1)[0]
    assert argmax.tolist() == [len(LABELS)] * 5
    assert ctc_greedy_decode(argmax, decoder.blank_id) == []


@pytest.mark.parametrize("normalization", ["batch", "layer", "instance", "group"])
@pytest.mark.parametrize("activation", ["relu", "selu", "swish", "silu", "hardtanh", "gelu", "tanh"])
def test_normalizations_and_activations_run(normalization, activation):
    encoder = JasperEncoderCore(MIXED_BLOCKS, activation, 16, normalization_mode=normalization,
                                norm_groups=4 if normalization == "group" else -1)
    out, _ = encoder(torch.randn(2, 16, 30), torch.tensor([30, 21]))
    assert out.shape == (2, 48, 15) and torch.isfinite(out).all()


@pytest.mark.parametrize("init_mode", ["xavier_uniform", "xavier_normal", "kaiming_uniform",
                                       "kaiming_normal"])
def test_init_modes(init_mode):
    encoder = JasperEncoderCore(MIXED_BLOCKS, "relu", 16, init_mode=init_mode)
    JasperDecoderCore(48, 28, init_mode=init_mode)
    assert encoder.encoder[0].mconv[0].conv.weight.std() > 0


@pytest.mark.parametrize("kwargs,message", [
    (dict(activation="sigmoid"), "activation"),
    (dict(init_mode="orthogonal"), "init_mode"),
    (dict(normalization_mode="weight"), "normalization"),
    (dict(residual_mode="max"), "residual_mode"),
    (dict(jasper=[dict(MIXED_BLOCKS[0], residual=True)]), "stride_add"),
])
def test_bad_options_raise(kwargs, message):
    options = dict(jasper=MIXED_BLOCKS, activation="relu", feat_in=16)
    options.update(kwargs)
    with pytest.raises(ValueError, match=message):
        JasperEncoderCore(**options)


def test_bad_block_keys_are_named():
    block = {key: value for key, value in MIXED_BLOCKS[0].items() if key != "kernel"}
    block["kernal"] = [3]
    with pytest.raises(ValueError, match=r"block 0: unknown keys \['kernal'\], missing keys \['kernel'\]"):
        JasperEncoderCore([block], "relu", 16)


def test_kernel_size_factor_rounds_to_odd():
    assert [scale_kernel(33, 0.5), scale_kernel(11, 1.0), scale_kernel(3, 0.1), scale_kernel(5, 2)] \
        == [17, 11, 1, 11]
    block = JasperBlock(4, 4, repeat=1, kernel_size=[33], kernel_size_factor=0.5)
    conv = block.mconv[0].conv
    assert (conv.kernel_size[0], conv.padding[0]) == (17, 8)


def test_separable_block_is_depthwise_then_pointwise():
    block = JasperBlock(8, 16, repeat=1, kernel_size=5, separable=True, residual=False)
    depthwise, pointwise = block.mconv[0].conv, block.mconv[1].conv
    assert (depthwise.groups, depthwise.kernel_size[0], depthwise.out_channels) == (8, 5, 8)
    assert (pointwise.kernel_size[0], pointwise.out_channels) == (1, 16)


def test_squeeze_excite_ignores_padded_frames():
    se = SqueezeExcite(6, reduction_ratio=2)
    x = torch.randn(1, 6, 10)
    padded = torch.cat([x, 1e3 * torch.ones(1, 6, 5)], dim=2)
    torch.testing.assert_close(se(padded, torch.tensor([10]))[:, :, :10], se(x, torch.tensor([10])))


def test_small_an4_model_overfits_a_toy_batch():
    torch.manual_seed(0)
    encoder, decoder = build(load_config("quartznet_an4.yaml"))
    features = torch.randn(4, 64, 48)
    lengths = torch.tensor([48, 40, 32, 48])
    targets = torch.tensor([[19, 20, 15, 16], [25, 5, 19, 0], [14, 15, 0, 0], [8, 5, 12, 16]])
    target_lengths = torch.tensor([4, 3, 2, 4])
    params = list(encoder.parameters()) + list(decoder.parameters())
    optimizer = torch.optim.Adam(params, lr=3e-3)
    ctc = torch.nn.CTCLoss(blank=decoder.blank_id)
    losses = []
    for _ in range(15):
        encoded, encoded_len = encoder(features, lengths)
        loss = ctc(decoder(encoded).transpose(0, 1), targets, encoded_len, target_lengths)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.05 * losses[0]


def test_word_and_char_error_rates():
    assert word_error_rate(["the cat sat"], ["the cat sat on"]) == pytest.approx(0.25)
    # 1 substitution + 1 deletion over 3 + 2 reference words.
    assert word_error_rate(["a b x", "d"], ["a b c", "d e"]) == pytest.approx(2 / 5)
    assert word_error_rate(["kitten"], ["sitting"], use_cer=True) == pytest.approx(3 / 7)
    assert word_error_rate(["ab c"], ["ab c"], use_cer=True) == 0.0
    assert word_error_rate([""], [""]) == 0.0


def test_word_error_rate_length_mismatch():
    with pytest.raises(ValueError, match="2 hypotheses and 1 references"):
        word_error_rate(["a", "b"], ["a"])


def test_ctc_greedy_decode_and_ids_to_text():
    blank = 28
    frames = [blank, 3, 3, blank, 1, 20, 20, blank, blank, 20, 0]
    assert ctc_greedy_decode(frames, blank) == [3, 1, 20, 20, 0]
    assert ctc_greedy_decode(torch.tensor(frames), blank) == [3, 1, 20, 20, 0]
    assert ids_to_text(ctc_greedy_decode(frames, blank), LABELS) == "catt "
    assert ids_to_text(torch.tensor([8, 9]), LABELS) == "hi"
    with pytest.raises(ValueError, match="outside the 28 labels"):
        ids_to_text([28], LABELS)
