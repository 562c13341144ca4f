"""WaveGlow (Prenger et al. 2019) in plain PyTorch: a flow from audio to Gaussian noise conditioned on mels.

Audio ``[B, T]`` is folded into ``n_group`` channels; each of ``n_flows`` steps mixes channels with an
invertible 1x1 convolution and applies an affine coupling whose scale and shift come from a WaveNet-like
network (``WN``) over half of the channels and the upsampled mels. Every ``n_early_every`` flows,
``n_early_size`` channels leave the flow early.
"""
import torch
from torch import nn
from torch.nn.utils import parametrizations


def _weight_norm(conv):
    return parametrizations.weight_norm(conv, name="weight")


class Invertible1x1Conv(nn.Module):
    """Channel mixing by an orthogonal-initialised matrix ``W`` (det +1); ``log|det W|`` per time step."""

    def __init__(self, channels):
        super().__init__()
        weight = torch.linalg.qr(torch.randn(channels, channels))[0]
        weight[:, 0] = weight[:, 0] * torch.sign(torch.det(weight))
        self.weight = nn.Parameter(weight)

    def forward(self, z):
        """``z [B, C, T]`` → ``W z`` and ``T * B * log|det W|``."""
        batch, _, steps = z.shape
        log_det = batch * steps * torch.linalg.slogdet(self.weight.float())[1]
        return torch.einsum("ij,bjt->bit", self.weight, z), log_det

    def inverse(self, z):
        return torch.einsum("ij,bjt->bit", torch.linalg.inv(self.weight.float()).to(z.dtype), z)


class WN(nn.Module):
    """Dilated gated convolutions over half of the audio channels, conditioned on the mels; outputs
    ``[B, 2 * n_in_channels, T]`` (shift, then log-scale). The last layer starts at zero, so every
    coupling starts as the identity."""

    def __init__(self, n_in_channels, n_cond_channels, n_layers, n_channels, kernel_size):
        super().__init__()
        if kernel_size % 2 != 1:
            raise ValueError(f"wn_kernel_size must be odd, got {kernel_size}")
        self.n_layers, self.n_channels = n_layers, n_channels
        self.start = _weight_norm(nn.Conv1d(n_in_channels, n_channels, 1))
        self.cond_layer = _weight_norm(nn.Conv1d(n_cond_channels, 2 * n_channels * n_layers, 1))
        self.in_layers = nn.ModuleList()
        self.res_skip_layers = nn.ModuleList()
        for i in range(n_layers):
            dilation = 2**i
            self.in_layers.append(_weight_norm(nn.Conv1d(n_channels, 2 * n_channels, kernel_size, dilation=dilation,
                                                         padding=dilation * (kernel_size - 1) // 2)))
            out = 2 * n_channels if i < n_layers - 1 else n_channels
            self.res_skip_layers.append(_weight_norm(nn.Conv1d(n_channels, out, 1)))
        self.end = nn.Conv1d(n_channels, 2 * n_in_channels, 1)
        nn.init.zeros_(self.end.weight)
        nn.init.zeros_(self.end.bias)

    def forward(self, audio, spect):
        x = self.start(audio)
        cond = self.cond_layer(spect)
        output = torch.zeros_like(x)
        width = 2 * self.n_channels
        for i in range(self.n_layers):
            acts = self.in_layers[i](x) + cond[:, i * width: (i + 1) * width]
            acts = torch.tanh(acts[:, : self.n_channels]) * torch.sigmoid(acts[:, self.n_channels:])
            res_skip = self.res_skip_layers[i](acts)
            if i < self.n_layers - 1:
                x = x + res_skip[:, : self.n_channels]
                output = output + res_skip[:, self.n_channels:]
            else:
                output = output + res_skip
        return self.end(output)


class WaveGlow(nn.Module):
    """The flow; :meth:`forward` maps audio to ``z``, :meth:`inverse` maps ``z`` back to audio."""

    def __init__(self, n_mel_channels, n_flows, n_group, n_early_every, n_early_size, n_wn_layers, n_wn_channels,
                 wn_kernel_size, upsample_kernel=1024, upsample_stride=256):
        super().__init__()
        if n_group % 2:
            raise ValueError(f"n_group must be even, got {n_group}")
        self.upsample = nn.ConvTranspose1d(n_mel_channels, n_mel_channels, upsample_kernel, stride=upsample_stride)
        self.n_flows, self.n_group = n_flows, n_group
        self.n_early_every, self.n_early_size = n_early_every, n_early_size
        self.convinv = nn.ModuleList()
        self.WN = nn.ModuleList()
        remaining = n_group
        for k in range(n_flows):
            if self._early_exit(k):
                remaining -= n_early_size
            if remaining < 2:
                raise ValueError("n_early_size / n_early_every leave fewer than 2 channels in the flow")
            self.convinv.append(Invertible1x1Conv(remaining))
            self.WN.append(WN(remaining // 2, n_mel_channels * n_group, n_wn_layers, n_wn_channels, wn_kernel_size))
        self.n_remaining_channels = remaining

    def _early_exit(self, k):
        return k > 0 and k % self.n_early_every == 0

    def _condition(self, spect, groups):
        """Upsampled mels folded like the audio: ``[B, n_mel * n_group, groups]``."""
        spect = self.upsample(spect)[:, :, : groups * self.n_group]
        batch, channels, _ = spect.shape
        return spect.reshape(batch, channels, groups, self.n_group).permute(0, 1, 3, 2).reshape(batch, -1, groups)

    def _coupling(self, k, audio, spect):
        half = audio.shape[1] // 2
        out = self.WN[k](audio[:, :half], spect)
        return half, out[:, :half], out[:, half:]

    def forward(self, spect, audio):
        """``spect [B, n_mel, T_mel]``, ``audio [B, T]`` (T a multiple of n_group, at most
        ``T_mel * hop``) → ``z [B, n_group, T / n_group]``, log-scales, log-determinants."""
        batch, samples = audio.shape
        groups = samples // self.n_group
        spect = self._condition(spect, groups)
        audio = audio[:, : groups * self.n_group].reshape(batch, groups, self.n_group).transpose(1, 2)
        early, log_s_list, log_det_w_list = [], [], []
        for k in range(self.n_flows):
            if self._early_exit(k):
                early.append(audio[:, : self.n_early_size])
                audio = audio[:, self.n_early_size:]
            audio, log_det_w = self.convinv[k](audio)
            half, shift, log_s = self._coupling(k, audio, spect)
            audio = torch.cat([audio[:, :half], torch.exp(log_s) * audio[:, half:] + shift], dim=1)
            log_s_list.append(log_s)
            log_det_w_list.append(log_det_w)
        return torch.cat(early + [audio], dim=1), log_s_list, log_det_w_list

    def inverse(self, z, spect):
        """Audio ``[B, n_group * groups]`` of ``z [B, n_group, groups]`` (the layout of :meth:`forward`)."""
        spect = self._condition(spect, z.shape[2])
        end = z.shape[1]
        audio = z[:, end - self.n_remaining_channels:]
        end -= self.n_remaining_channels
        for k in reversed(range(self.n_flows)):
            half, shift, log_s = self._coupling(k, audio, spect)
            audio = torch.cat([audio[:, :half], (audio[:, half:] - shift) * torch.exp(-log_s)], dim=1)
            audio = self.convinv[k].inverse(audio)
            if self._early_exit(k):
                audio = torch.cat([z[:, end - self.n_early_size: end], audio], dim=1)
                end -= self.n_early_size
        return audio.transpose(1, 2).reshape(z.shape[0], -1)

    def infer(self, spect, sigma, generator=None):
        """Audio of ``T_mel * upsample_stride`` samples per item from noise of std ``sigma``."""
        hop = self.upsample.stride[0]
        groups = spect.shape[2] * hop // self.n_group
        z = torch.randn(spect.shape[0], self.n_group, groups, device=spect.device, dtype=spect.dtype,
                        generator=generator)
        return self.inverse(sigma * z, spect)


class Denoiser(nn.Module):
    """Removes WaveGlow's constant hiss: subtracts ``strength`` times the magnitude spectrum of the
    model's output for a silent mel (``silence_value``), then resynthesises with the original phase."""

    def __init__(self, waveglow, n_mel_channels, silence_value=-11.52, n_fft=1024, hop_length=256):
        super().__init__()
        self.n_fft, self.hop_length = n_fft, hop_length
        self.register_buffer("window", torch.hann_window(n_fft), persistent=False)
        with torch.no_grad():
            silence = torch.full((1, n_mel_channels, 88), silence_value, device=waveglow.upsample.weight.device)
            bias = waveglow.infer(silence, sigma=0.0)
        self.register_buffer("bias_spec", self._stft(bias).abs()[:, :, :1], persistent=False)

    def _stft(self, audio):
        return torch.stft(audio.float(), self.n_fft, self.hop_length, window=self.window, return_complex=True)

    def forward(self, audio, strength):
        spec = self._stft(audio)
        magnitude = (spec.abs() - self.bias_spec * strength).clamp(min=0.0)
        cleaned = torch.polar(magnitude, spec.angle())
        return torch.istft(cleaned, self.n_fft, self.hop_length, window=self.window, length=audio.shape[1])


def waveglow_loss(z, log_s_list, log_det_w_list, sigma):
    """Negative log-likelihood per element: ``sum z^2 / (2 sigma^2) - sum log_s - sum log|det W|``."""
    log_s_total = sum(log_s.sum() for log_s in log_s_list)
    log_det_total = sum(log_det_w_list)
    loss = z.pow(2).sum() / (2 * sigma**2) - log_s_total - log_det_total
    return loss / z.numel()
