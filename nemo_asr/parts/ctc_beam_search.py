"""CTC prefix beam search with word n-gram shallow fusion, on pyctcdecode.

ARPA files are scored by :class:`~nemo_asr.parts.ngram_lm.NgramModel` (pure Python); KenLM
binary files (``.bin``/``.binary``) need the optional ``kenlm`` package.
"""
import logging
import math
import os

import numpy as np

from .ngram_lm import BOS, EOS, UNK, NgramModel

LN10 = math.log(10.0)
UNK_LOG_OFFSET = -10.0  # natural-log penalty pyctcdecode adds for an out-of-vocabulary word
AVG_WORD_LEN = 6


def _pyctcdecode():
    # pyctcdecode warns at import when kenlm is missing; the ARPA path does not need it.
    quiet = logging.getLogger("pyctcdecode")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        import pyctcdecode
        from pyctcdecode import language_model
    except ImportError:
        raise ImportError(
            "LM beam search needs pyctcdecode: pip install pygtrie && pip install --no-deps pyctcdecode==0.5.0 "
            "(see README: its numpy<2 pin is not a real constraint)") from None
    finally:
        quiet.setLevel(level)
    return pyctcdecode, language_model


def _arpa_scorer_class():
    _, language_model = _pyctcdecode()
    from pygtrie import CharTrie

    class ArpaScorer(language_model.AbstractLanguageModel):
        """pyctcdecode's language-model interface over an :class:`NgramModel`; a state is the word
        context tuple. Scores are ``alpha * ln p(word | context) + beta`` (plus an OOV offset)."""

        def __init__(self, model, alpha, beta, unk_score_offset=UNK_LOG_OFFSET, score_boundary=True):
            self._model = model
            self._words = model.vocab - {EOS, UNK}
            self._trie = CharTrie.fromkeys(self._words)
            self.alpha, self.beta = alpha, beta
            self.unk_score_offset, self.score_boundary = unk_score_offset, score_boundary
            self._cache = {}

        @property
        def order(self):
            return self._model.order

        def get_start_state(self):
            return (BOS,) if self.score_boundary else ()

        def score_partial_token(self, partial_token):
            if self._trie.has_node(partial_token):
                return 0.0
            return self.unk_score_offset * max(1.0, len(partial_token) / AVG_WORD_LEN)

        def _context(self, state, word):
            return (state + (word,))[-(self._model.order - 1):] if self._model.order > 1 else ()

        def score(self, prev_state, word, is_last_word=False):
            key = (prev_state, word, is_last_word)
            cached = self._cache.get(key)
            if cached is None:
                logp = self._model.log_prob(word, prev_state)
                end_state = self._context(prev_state, word)
                if word not in self._words:
                    logp += self.unk_score_offset / LN10
                if is_last_word and self.score_boundary:
                    logp += self._model.log_prob(EOS, end_state)
                cached = self._cache[key] = (logp * LN10, end_state)
            return self.alpha * cached[0] + self.beta, cached[1]

        def reset_params(self, **params):
            for name in ("alpha", "beta", "unk_score_offset", "score_boundary"):
                if params.get(name) is not None:
                    setattr(self, name, params[name])

    return ArpaScorer


def load_scorer(lm_path, alpha, beta):
    """The pyctcdecode language model for ``lm_path`` (ARPA text, or KenLM binary with ``kenlm``)."""
    if not os.path.isfile(lm_path):
        raise FileNotFoundError(f"language model file not found: {lm_path}")
    if lm_path.endswith((".bin", ".binary")):
        _, language_model = _pyctcdecode()
        try:
            import kenlm
        except ImportError:
            raise ImportError(f"{lm_path} is a KenLM binary model: reading it needs the optional 'kenlm' package "
                              "(pip install kenlm); ARPA text files (.arpa) load without it") from None
        model = kenlm.Model(lm_path)
        return language_model.LanguageModel(model, alpha=alpha, beta=beta)
    return _arpa_scorer_class()(NgramModel.read_arpa(lm_path), alpha=alpha, beta=beta)


class CTCBeamSearch:
    """Beam search over ``labels`` + the CTC blank (the last class) with an optional LM.

    ``decode(log_probs [T, C] numpy) -> [(score, text), ...]`` best first;
    ``decode_with_frames`` also gives each word's (start, end) frames. Per frame, classes outside the
    ``cutoff_top_n`` best or the ``cutoff_prob`` cumulative mass are dropped, and so are those below
    ``token_min_logp`` (natural log) unless they are the frame's best.
    """

    def __init__(self, labels, beam_width=128, alpha=0.5, beta=1.5, lm_path=None, cutoff_prob=1.0,
                 cutoff_top_n=40, token_min_logp=-5.0, scorer=None):
        pyctcdecode, _ = _pyctcdecode()
        self.labels = list(labels)
        self.beam_width = beam_width
        self.cutoff_prob, self.cutoff_top_n = cutoff_prob, cutoff_top_n
        self.token_min_logp = token_min_logp
        if scorer is None and lm_path:
            scorer = load_scorer(lm_path, alpha, beta)
        alphabet = pyctcdecode.Alphabet(self.labels + [""], False)
        self.decoder = pyctcdecode.BeamSearchDecoderCTC(alphabet, scorer)

    def set_weights(self, alpha, beta):
        """Change the LM weight and word insertion bonus without reloading the LM."""
        self.decoder.reset_params(alpha=float(alpha), beta=float(beta))

    def _pruned(self, log_probs):
        """Keep, per frame, the ``cutoff_top_n`` best classes within ``cutoff_prob`` cumulative mass."""
        log_probs = np.asarray(log_probs, dtype=np.float32)
        if self.cutoff_top_n >= log_probs.shape[1] and self.cutoff_prob >= 1.0:
            return log_probs
        order = np.argsort(-log_probs, axis=1)
        ranked = np.take_along_axis(log_probs, order, axis=1)
        mass = np.cumsum(np.exp(ranked), axis=1)
        keep = np.arange(log_probs.shape[1])[None, :] < self.cutoff_top_n
        keep &= np.concatenate([np.ones_like(mass[:, :1], bool), mass[:, :-1] < self.cutoff_prob], axis=1)
        pruned = np.full_like(log_probs, np.log(1e-15))
        np.put_along_axis(pruned, order, np.where(keep, ranked, pruned), axis=1)
        return pruned

    def decode_with_frames(self, log_probs):
        """Beams as ``(score, text, [(word, (start_frame, end_frame)), ...])``, best first."""
        beams = self.decoder.decode_beams(self._pruned(log_probs), beam_width=self.beam_width,
                                          token_min_logp=self.token_min_logp)
        return [(float(beam[-1]), beam[0], list(beam[2])) for beam in beams]

    def decode(self, log_probs):
        """Beams as ``(score, text)`` pairs, best first."""
        return [(score, text) for score, text, _ in self.decode_with_frames(log_probs)]
