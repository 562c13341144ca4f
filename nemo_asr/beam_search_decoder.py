"""CTC beam search with an n-gram language model as a neural module."""

import torch

from nemo.backends.pytorch import NonTrainableNM
from nemo.core.neural_types import LengthsType, LogprobsType, NeuralType, PredictionsType

from .parts.ctc_beam_search import CTCBeamSearch

__all__ = ["BeamSearchDecoderWithLM"]


class BeamSearchDecoderWithLM(NonTrainableNM):
    """Prefix beam search over CTC log-probs with word n-gram shallow fusion (pyctcdecode).

    Each beam is scored ``ln p_ctc + alpha * ln p_lm + beta * words``. ``lm_path`` is an ARPA
    file (read in pure Python) or a KenLM binary (needs the optional ``kenlm`` package).
    ``num_cpus`` is kept for legacy configs; decoding runs in this process.

    Input ports: ``log_probs`` (B, T, D) with the blank last, ``log_probs_length`` (B,).
    Output port: ``predictions``: per utterance, the beams as ``(score, text)`` pairs, best first.
    """

    def __init__(self, vocab, beam_width, alpha, beta, lm_path, num_cpus=1, cutoff_prob=1.0, cutoff_top_n=40,
                 input_tensor=True, token_min_logp=-5.0, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.input_tensor = input_tensor
        self.search = CTCBeamSearch(vocab, beam_width=beam_width, alpha=alpha, beta=beta, lm_path=lm_path,
                                    cutoff_prob=cutoff_prob, cutoff_top_n=cutoff_top_n,
                                    token_min_logp=token_min_logp)

    @property
    def input_ports(self):
        return {
            "log_probs": NeuralType(("B", "T", "D"), LogprobsType()),
            "log_probs_length": NeuralType(tuple("B"), LengthsType()),
        }

    @property
    def output_ports(self):
        return {"predictions": NeuralType(None, PredictionsType())}

    def set_weights(self, alpha, beta):
        """Change the LM weight and word insertion bonus (for a grid search) without reloading the LM."""
        self.search.set_weights(alpha, beta)

    @torch.no_grad()
    def forward(self, log_probs, log_probs_length):
        if self.input_tensor:
            log_probs = log_probs.detach().float().cpu().numpy()
            lengths = log_probs_length.cpu().tolist()
        else:
            lengths = [len(x) for x in log_probs] if log_probs_length is None else list(log_probs_length)
        return [self.search.decode(utt[: int(length)]) for utt, length in zip(log_probs, lengths)]
