"""Kaldi data directories: precomputed features (``feats.scp``), transcripts (``text``), durations."""
import logging
import os

import kaldiio
import torch
from torch.utils.data import Dataset

from .text import CharParser

logger = logging.getLogger("nemo_asr")


def read_kaldi_table(path, required=True):
    """``utt_id -> rest of line`` of a Kaldi text table; errors name file and line."""
    if not os.path.isfile(path):
        if required:
            raise FileNotFoundError(f"Kaldi table not found: {path}")
        return {}
    table = {}
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            parts = line.strip().split(maxsplit=1)
            if parts[0] in table:
                raise ValueError(f"{path}:{number}: utterance {parts[0]!r} listed twice")
            table[parts[0]] = parts[1] if len(parts) > 1 else ""
    return table


def feature_collate_fn(batch, token_pad_value=0):
    """Pad ``(features [T, D], T, tokens, L)`` items to ``features [B, D, Tmax]``, lengths, tokens [B, Lmax], lengths."""
    feats, feat_lens, tokens, token_lens = zip(*batch)
    feat_len = torch.tensor(feat_lens, dtype=torch.int64)
    token_len = torch.tensor(token_lens, dtype=torch.int64)
    out = feats[0].new_zeros(len(batch), feats[0].shape[1], int(feat_len.max()))
    for i, f in enumerate(feats):
        out[i, :, : f.shape[0]] = f.T
    token_batch = torch.full((len(batch), int(token_len.max())), token_pad_value, dtype=torch.int64)
    for i, ids in enumerate(tokens):
        token_batch[i, : len(ids)] = ids
    return out, feat_len, token_batch, token_len


class KaldiFeatureDataset(Dataset):
    """Utterances of a Kaldi data dir as ``(features [T, D], T, tokens, L)``.

    ``feats.scp`` and ``text`` are required; ``utt2dur`` (seconds) enables the duration filters.
    Utterances missing from ``text`` are skipped with a warning; features load lazily (kaldiio). Relative
    ark paths resolve against ``kaldi_dir`` when the file is there (else the working directory, as in Kaldi).
    """

    def __init__(self, kaldi_dir, labels, min_duration=None, max_duration=None, normalize_transcripts=True,
                 bos_id=None, eos_id=None, pad_id=0):
        feats = {utt: self._resolve(kaldi_dir, spec)
                 for utt, spec in read_kaldi_table(os.path.join(kaldi_dir, "feats.scp")).items()}
        texts = read_kaldi_table(os.path.join(kaldi_dir, "text"))
        durations = read_kaldi_table(os.path.join(kaldi_dir, "utt2dur"), required=False)
        parser = CharParser(labels, do_normalize=normalize_transcripts)
        self.pad_id = pad_id
        self.utt_ids, self.tokens, missing = [], [], []
        for utt in feats:
            if utt not in texts:
                missing.append(utt)
                continue
            if durations and (min_duration is not None or max_duration is not None):
                try:
                    seconds = float(durations[utt].split()[0])
                except (KeyError, ValueError, IndexError):
                    raise ValueError(f"{os.path.join(kaldi_dir, 'utt2dur')}: no duration for {utt!r}") from None
                if (min_duration is not None and seconds < min_duration) or \
                        (max_duration is not None and seconds > max_duration):
                    continue
            ids = ([bos_id] if bos_id is not None else []) + parser(texts[utt]) + ([eos_id] if eos_id is not None else [])
            self.utt_ids.append(utt)
            self.tokens.append(torch.tensor(ids, dtype=torch.int64))
        if missing:
            logger.warning("%s: %d utterance(s) of feats.scp have no transcript in text (first: %s)",
                           kaldi_dir, len(missing), missing[0])
        self.feats = feats

    @staticmethod
    def _resolve(kaldi_dir, spec):
        """``ark:offset`` with a relative ark path taken from ``kaldi_dir`` when the file is there."""
        path, _, offset = spec.rpartition(":")
        if path and not os.path.isabs(path) and os.path.isfile(os.path.join(kaldi_dir, path)):
            return f"{os.path.join(kaldi_dir, path)}:{offset}"
        return spec

    def __len__(self):
        return len(self.utt_ids)

    def __getitem__(self, index):
        utt = self.utt_ids[index]
        try:
            matrix = kaldiio.load_mat(self.feats[utt])
        except (OSError, ValueError) as err:
            raise OSError(f"cannot read features of {utt!r} from {self.feats[utt]}: {err}") from None
        features = torch.from_numpy(matrix.copy()).float()
        tokens = self.tokens[index]
        return features, features.shape[0], tokens, len(tokens)

    def collate_fn(self, batch):
        return feature_collate_fn(batch, self.pad_id)
