"""Word n-gram language models in ARPA form: building (interpolated Kneser-Ney), writing, reading, scoring.

Pure Python, no compiled extension. Probabilities are log10, as in ARPA files and KenLM.
The vocabulary is the training words plus ``</s>`` and ``<unk>``; ``<s>`` is a context only.
"""
import logging
import math
import os
import re
from collections import defaultdict

from nemo.utils.atomic import atomic_path

logger = logging.getLogger("nemo_asr")

BOS, EOS, UNK = "<s>", "</s>", "<unk>"
NO_PROB = -99.0  # the log10 probability ARPA writes for <s>, which is never predicted
FALLBACK_DISCOUNT = 0.5


class ArpaFormatError(ValueError):
    """An ARPA file that cannot be read; the message names file and line."""


def count_ngrams(sentences, order):
    """Counts of every 1..``order``-gram of ``sentences`` (lists of words) padded with <s> and </s>."""
    counts = [defaultdict(int) for _ in range(order)]
    for words in sentences:
        padded = [BOS] + list(words) + [EOS]
        for n in range(1, order + 1):
            table = counts[n - 1]
            for end in range(n, len(padded) + 1):
                gram = tuple(padded[end - n:end])
                if gram != (BOS,):
                    table[gram] += 1
    return counts


def _adjusted_counts(counts):
    """Kneser-Ney counts: raw for the top order and for n-grams starting with <s>; below the top order,
    the number of distinct words seen before the n-gram (its continuation count)."""
    order = len(counts)
    adjusted = [dict(counts[-1])]
    for n in range(order - 1, 0, -1):
        left = defaultdict(int)
        for gram in counts[n]:
            left[gram[1:]] += 1
        adjusted.insert(0, {gram: (count if gram[0] == BOS else left[gram]) for gram, count in counts[n - 1].items()})
    return adjusted


def _discount(adjusted, n):
    """D = n1 / (n1 + 2 n2) over the order's adjusted counts; a fallback when the data is too small."""
    n1 = sum(1 for c in adjusted.values() if c == 1)
    n2 = sum(1 for c in adjusted.values() if c == 2)
    if n1 == 0 or n2 == 0:
        logger.warning("order %d: too few n-grams seen once/twice (n1=%d, n2=%d) for a Kneser-Ney discount; "
                       "using %.2f", n, n1, n2, FALLBACK_DISCOUNT)
        return FALLBACK_DISCOUNT
    return n1 / (n1 + 2 * n2)


class NgramModel:
    """A backoff n-gram model: ``probs[n-1][gram]`` (log10) and ``backoffs[n-1][gram]`` (log10)."""

    def __init__(self, probs, backoffs):
        self.probs = probs
        self.backoffs = backoffs
        self.order = len(probs)
        self.vocab = frozenset(gram[0] for gram in probs[0]) - {BOS}

    # -- building -----------------------------------------------------------------------------
    @classmethod
    def kneser_ney(cls, sentences, order):
        """Interpolated Kneser-Ney model of ``sentences`` (lists of words), one discount per order.

        For a seen ``h w``: p(w|h) = (c'(hw) - D) / c'(h.) + gamma(h) p(w|h'), gamma(h) =
        D * |{w: c'(hw) > 0}| / c'(h.); unseen words back off with gamma(h). Unigrams interpolate
        with the uniform distribution over the vocabulary, which gives <unk> its mass.
        """
        if order < 1:
            raise ValueError(f"n-gram order must be at least 1, got {order}")
        sentences = [list(s) for s in sentences if s]
        if not sentences:
            raise ValueError("no sentences to build a language model from")
        adjusted = _adjusted_counts(count_ngrams(sentences, order))
        vocab = {gram[0] for gram in adjusted[0]} | {EOS, UNK}
        probs, backoffs = [], []
        lower = None
        for n in range(1, order + 1):
            table, discount = adjusted[n - 1], _discount(adjusted[n - 1], n)
            totals, types = defaultdict(int), defaultdict(int)
            for gram, count in table.items():
                totals[gram[:-1]] += count
                types[gram[:-1]] += 1
            gammas = {h: discount * types[h] / totals[h] for h in totals}
            level = {}
            for gram, count in table.items():
                h, w = gram[:-1], gram[-1]
                below = 1.0 / len(vocab) if lower is None else 10 ** lower.log_prob(w, h[1:])
                level[gram] = math.log10(max(count - discount, 0.0) / totals[h] + gammas[h] * below)
            if n == 1:
                level[(BOS,)] = NO_PROB
                level.setdefault((UNK,), math.log10(gammas[()] / len(vocab)))
            probs.append(level)
            if n > 1:
                backoffs[-1] = {h: math.log10(g) for h, g in gammas.items() if h in probs[-2]}
            backoffs.append({})
            lower = cls(probs, backoffs) if n < order else None
        return cls(probs, backoffs)

    # -- scoring --------------------------------------------------------------------------------
    def log_prob(self, word, context=()):
        """log10 p(word | context), backing off through shorter contexts (KenLM's rule)."""
        if word not in self.vocab:
            word = UNK
        context = tuple(w if w in self.vocab or w == BOS else UNK for w in context)[-(self.order - 1):] \
            if self.order > 1 else ()
        penalty = 0.0
        while True:
            gram = context + (word,)
            logp = self.probs[len(gram) - 1].get(gram)
            if logp is not None:
                return logp + penalty
            if not context:
                return self.probs[0].get((UNK,), NO_PROB) + penalty
            penalty += self.backoffs[len(context) - 1].get(context, 0.0)
            context = context[1:]

    def sentence_log_prob(self, words, bos=True, eos=True):
        """log10 probability of ``words`` after <s> (if ``bos``) and, if ``eos``, of the closing </s>."""
        context = (BOS,) if bos else ()
        total = 0.0
        for word in list(words) + ([EOS] if eos else []):
            total += self.log_prob(word, context)
            context = (context + (word,))[-(self.order - 1):] if self.order > 1 else ()
        return total

    # -- ARPA files -----------------------------------------------------------------------------
    def write_arpa(self, path):
        """Write the model as an ARPA text file (atomically)."""
        with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8") as out:
            out.write("\\data\\\n")
            for n, level in enumerate(self.probs, start=1):
                out.write(f"ngram {n}={len(level)}\n")
            for n, level in enumerate(self.probs, start=1):
                out.write(f"\n\\{n}-grams:\n")
                backoff = self.backoffs[n - 1]
                for gram in sorted(level):
                    line = f"{level[gram]:.7f}\t{' '.join(gram)}"
                    if gram in backoff:
                        line += f"\t{backoff[gram]:.7f}"
                    out.write(line + "\n")
            out.write("\n\\end\\\n")

    @classmethod
    def read_arpa(cls, path):
        """Read an ARPA text file; errors name the file and line."""
        if not os.path.isfile(path):
            raise FileNotFoundError(f"language model file not found: {path}")
        probs, backoffs, expected, section = [], [], {}, None
        header = re.compile(r"^ngram (\d+)=(\d+)$")
        with open(path, encoding="utf-8") as handle:
            for number, raw in enumerate(handle, start=1):
                line = raw.strip()
                where = f"{path}:{number}"
                if not line or line == "\\data\\":
                    continue
                if line == "\\end\\":
                    break
                match = header.match(line)
                if match and section is None:
                    expected[int(match.group(1))] = int(match.group(2))
                    continue
                section_match = re.match(r"^\\(\d+)-grams:$", line)
                if section_match:
                    section = int(section_match.group(1))
                    if section != len(probs) + 1:
                        raise ArpaFormatError(f"{where}: expected the {len(probs) + 1}-grams section, got {line!r}")
                    probs.append({})
                    backoffs.append({})
                    continue
                if section is None:
                    raise ArpaFormatError(f"{where}: expected '\\data\\', 'ngram N=count' or a section, got {line!r}")
                fields = line.split()
                if len(fields) not in (section + 1, section + 2):
                    raise ArpaFormatError(f"{where}: a {section}-gram line needs log10 prob, {section} word(s) "
                                          f"and an optional backoff, got {line!r}")
                try:
                    gram = tuple(fields[1:section + 1])
                    probs[-1][gram] = float(fields[0])
                    if len(fields) == section + 2:
                        backoffs[-1][gram] = float(fields[-1])
                except ValueError:
                    raise ArpaFormatError(f"{where}: probabilities must be numbers, got {line!r}") from None
        if not probs:
            raise ArpaFormatError(f"{path}: no n-gram sections; is this an ARPA file?")
        for n, count in expected.items():
            if n > len(probs) or len(probs[n - 1]) != count:
                got = len(probs[n - 1]) if n <= len(probs) else 0
                raise ArpaFormatError(f"{path}: header declares {count} {n}-grams, the file holds {got}")
        return cls(probs, backoffs)


def training_words(text, labels, normalize=True):
    """The words of ``text`` as the character CTC model is trained on them: the same normalisation
    as :class:`~nemo_asr.parts.text.CharParser` and characters outside ``labels`` dropped."""
    from .text import CharParser

    parser = CharParser(labels, do_normalize=normalize)
    return "".join(parser.labels[i] for i in parser(text)).split()
