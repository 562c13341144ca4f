"""WaveGlow as neural modules, with the legacy NeMo names, ports and defaults."""
import torch

from nemo.backends.pytorch import LossNM, TrainableNM
from nemo.core.neural_types import (
    AudioSignal,
    ChannelType,
    LossType,
    MelSpectrogramType,
    NeuralType,
    NormalDistributionSamplesType,
)

from .parts.waveglow import Denoiser, WaveGlow, waveglow_loss

__all__ = ["WaveGlowNM", "WaveGlowInferNM", "WaveGlowLoss"]

MEL = NeuralType(("B", "D", "T"), MelSpectrogramType())
Z = NeuralType(("B", "D", "T"), NormalDistributionSamplesType())
LIST = NeuralType(elements_type=ChannelType())


class WaveGlowNM(TrainableNM):
    """The WaveGlow flow in training direction: audio to noise. The mels are upsampled by a
    transposed convolution of ``upsample_kernel`` taps and stride 256 (the hop).

    Input ports: ``mel_spectrogram`` (B, n_mel, T_mel), ``audio`` (B, T) with ``T <= T_mel * 256``.
    Output ports: ``audio`` (B, n_group, T / n_group) the latent ``z``; ``log_s_list``,
    ``log_det_W_list`` (lists, one per flow) for :class:`WaveGlowLoss`.
    """

    def __init__(self, n_mel_channels=80, n_flows=12, n_group=8, n_early_every=4, n_early_size=2, n_wn_layers=8,
                 n_wn_channels=512, wn_kernel_size=3, sample_rate=22050, upsample_kernel=1024, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.sample_rate = sample_rate
        self.waveglow = WaveGlow(n_mel_channels, n_flows, n_group, n_early_every, n_early_size, n_wn_layers,
                                 n_wn_channels, wn_kernel_size, upsample_kernel=upsample_kernel)

    @property
    def input_ports(self):
        return {"mel_spectrogram": MEL, "audio": NeuralType(("B", "T"), AudioSignal(freq=self.sample_rate))}

    @property
    def output_ports(self):
        return {"audio": Z, "log_s_list": LIST, "log_det_W_list": LIST}

    def forward(self, mel_spectrogram, audio):
        return self.waveglow(mel_spectrogram, audio)


class WaveGlowInferNM(WaveGlowNM):
    """WaveGlow in synthesis direction: mels to ``T_mel * 256`` audio samples from noise of std
    ``sigma``, optionally denoised (``denoiser_strength`` > 0, e.g. 0.01-0.1). Load the weights of a
    trained :class:`WaveGlowNM` with ``restore_from``.

    Input port: ``mel_spectrogram`` (B, n_mel, T_mel). Output port: ``audio`` (B, T).
    """

    def __init__(self, sigma=0.6, denoiser_strength=0.0, n_mel_channels=80, silence_value=-11.52, **kwargs):
        super().__init__(n_mel_channels=n_mel_channels, **kwargs)
        self.sigma = sigma
        self.denoiser_strength = denoiser_strength
        self.silence_value = silence_value
        self._denoiser = None

    @property
    def input_ports(self):
        return {"mel_spectrogram": MEL}

    @property
    def output_ports(self):
        return {"audio": NeuralType(("B", "T"), AudioSignal(freq=self.sample_rate))}

    def denoise(self, audio, strength):
        """Subtract ``strength`` times the model's hiss spectrum (computed once, after weights are loaded)."""
        if self._denoiser is None:
            self._denoiser = [Denoiser(self.waveglow, self.waveglow.upsample.in_channels, self.silence_value)]
        return self._denoiser[0](audio, strength)

    def load_state_dict(self, *args, **kwargs):
        self._denoiser = None  # the hiss spectrum belongs to the old weights
        return super().load_state_dict(*args, **kwargs)

    @torch.no_grad()
    def forward(self, mel_spectrogram):
        audio = self.waveglow.infer(mel_spectrogram, self.sigma)
        if self.denoiser_strength > 0:
            audio = self.denoise(audio, self.denoiser_strength)
        return audio


class WaveGlowLoss(LossNM):
    """Negative log-likelihood of WaveGlow's latent under N(0, sigma^2), per element.

    Input ports: ``z`` (B, n_group, T'), ``log_s_list``, ``log_det_W_list``. Output port: ``loss``.
    """

    def __init__(self, sigma=1.0, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.sigma = sigma

    @property
    def input_ports(self):
        return {"z": Z, "log_s_list": LIST, "log_det_W_list": LIST}

    @property
    def output_ports(self):
        return {"loss": NeuralType(elements_type=LossType())}

    def _loss_function(self, z, log_s_list, log_det_W_list):  # noqa: N803 (legacy port name)
        return waveglow_loss(z, log_s_list, log_det_W_list, self.sigma)
