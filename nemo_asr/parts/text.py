"""Transcript normalization (numbers and symbols to words) and a character tokenizer."""
import functools
import re
import string

_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")
_DOLLARS = re.compile(r"\$\s*(\d+)(?:\.(\d{1,2}))?\b")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*%")
_ORDINAL = re.compile(r"\b(\d+)(?:st|nd|rd|th)\b")
_DECIMAL = re.compile(r"\d+\.\d+")
_INTEGER = re.compile(r"\d+")
_SYMBOLS = {"&": " and ", "%": " percent ", "\u2019": "'", "\u2018": "'"}


@functools.lru_cache(maxsize=1)
def _inflect():
    """The ``inflect`` engine, built on first use (building it takes over a second)."""
    import inflect

    return inflect.engine()


def number_to_words(number):
    """Spell a number (string or int) in words without hyphens or commas: 25 -> 'twenty five'."""
    words = _inflect().number_to_words(str(number), andword="")
    return " " + words.replace("-", " ").replace(",", "") + " "


def _dollars(match):
    dollars, cents = int(match.group(1)), int((match.group(2) or "0").ljust(2, "0"))
    parts = []
    if dollars or not cents:
        parts.append(f"{number_to_words(dollars)} dollar{'' if dollars == 1 else 's'}")
    if cents:
        parts.append(f"{number_to_words(cents)} cent{'' if cents == 1 else 's'}")
    return " ".join(parts)


def _ordinal(match):
    return number_to_words(_inflect().ordinal(match.group(1)))


def normalize_text(text, labels=None, lowercase=True):
    """Normalize a transcript for character CTC.

    Lower-cases, spells numbers, currency, ordinals and ``%``/``&`` in words, turns hyphens
    into spaces (unless ``-`` is a label), deletes ASCII punctuation that is not in
    ``labels`` and collapses white space. Other characters are kept (the tokenizer decides).
    """
    if lowercase:
        text = text.lower()
    text = _THOUSANDS.sub("", text)
    text = _DOLLARS.sub(_dollars, text)
    text = _PERCENT.sub(lambda m: f"{number_to_words(m.group(1))} percent", text)
    text = _ORDINAL.sub(_ordinal, text)
    text = _DECIMAL.sub(lambda m: number_to_words(m.group(0)), text)
    text = _INTEGER.sub(lambda m: number_to_words(m.group(0)), text)
    for symbol, words in _SYMBOLS.items():
        text = text.replace(symbol, words)
    keep = set(labels or ())
    if "-" not in keep:
        text = text.replace("-", " ")
    text = "".join(ch for ch in text if ch not in string.punctuation or ch in keep)
    return " ".join(text.split())


class CharParser:
    """Map a transcript to label ids, one id per character.

    Args:
        labels: the label characters; id ``i`` is ``labels[i]``.
        unk_id: id for characters not in ``labels``; -1 drops them.
        blank_id: index of a label reserved for the CTC blank (never emitted); -1 for none.
        do_normalize: apply :func:`normalize_text` first.
        do_lowercase: lower-case the text first; None (default) does so unless the labels hold
            upper-case letters (then case is part of the labels, as for speech synthesis).
    """

    def __init__(self, labels, unk_id=-1, blank_id=-1, do_normalize=True, do_lowercase=None):
        labels = list(labels)
        bad = [label for label in labels if not isinstance(label, str) or len(label) != 1]
        if bad:
            raise ValueError(f"CharParser labels must be single characters, got {bad}")
        duplicates = sorted({label for label in labels if labels.count(label) > 1})
        if duplicates:
            raise ValueError(f"CharParser labels contain duplicates: {duplicates}")
        self.labels = labels
        self.unk_id = unk_id
        self.blank_id = blank_id
        self.do_normalize = do_normalize
        if do_lowercase is None:
            do_lowercase = not any(label.isupper() for label in labels)
        self.do_lowercase = do_lowercase
        self._ids = {label: i for i, label in enumerate(labels) if i != blank_id}

    def encode(self, text):
        """Return ``(ids, unknown)``: label ids and the characters that are not labels."""
        if self.do_normalize:
            text = normalize_text(text, self.labels, lowercase=self.do_lowercase)
        elif self.do_lowercase:
            text = text.lower()
        ids, unknown = [], []
        for ch in text:
            index = self._ids.get(ch)
            if index is None:
                unknown.append(ch)
                if self.unk_id >= 0:
                    ids.append(self.unk_id)
            else:
                ids.append(index)
        return ids, unknown

    def __call__(self, text):
        """Return the label ids of ``text``."""
        return self.encode(text)[0]
