"""Speech and transcripts streamed from tar shards (webdataset), matched to a compact manifest."""
import logging
import zlib

import numpy as np
import torch
from braceexpand import braceexpand
from torch.utils.data import IterableDataset

from .audio import decode_audio_bytes
from .compact_manifest import CompactManifest
from .manifest import split_manifest_paths
from .perturb import make_augmentor
from .text import CharParser

logger = logging.getLogger("nemo_asr")

AUDIO_EXTENSIONS = ("wav", "flac", "ogg", "mp3", "opus")


def expand_shards(audio_tar_filepaths):
    """Shard paths from a brace pattern (``audio_{0..7}.tar``), a comma list, or a list of either."""
    patterns = audio_tar_filepaths.split(",") if isinstance(audio_tar_filepaths, str) else list(audio_tar_filepaths)
    shards = [path for pattern in patterns if pattern.strip() for path in braceexpand(pattern.strip())]
    if not shards:
        raise ValueError(f"no tar shards in audio_tar_filepaths={audio_tar_filepaths!r}")
    return shards


class TarredAudioDataset(IterableDataset):
    """Yields ``(audio [T], audio_len, tokens [L], tokens_len)`` for the tar members the manifest lists.

    Shards are split across distributed ranks, then across loader workers; ``shuffle_n > 0``
    shuffles the shard order per epoch and samples within a buffer of that size. Members whose name
    the manifest does not list, or whose manifest duration is outside the filters, are skipped.
    Augmentation draws from a generator seeded by ``(seed, epoch, member name)``.
    """

    def __init__(self, audio_tar_filepaths, manifest_filepath, labels, sample_rate=16000, shuffle_n=0,
                 min_duration=None, max_duration=None, normalize_transcripts=True, trim_silence=False,
                 bos_id=None, eos_id=None, augmentor=None, seed=0):
        self.shards = expand_shards(audio_tar_filepaths)
        self.manifest = CompactManifest(split_manifest_paths(manifest_filepath))
        keep = np.ones(len(self.manifest), dtype=bool)
        if min_duration is not None:
            keep &= self.manifest.duration >= min_duration
        if max_duration is not None:
            keep &= self.manifest.duration <= max_duration
        self.keep = keep
        self.parser = CharParser(labels, do_normalize=normalize_transcripts)
        self.sample_rate, self.shuffle_n, self.trim_silence = sample_rate, shuffle_n, trim_silence
        self.bos_id, self.eos_id = bos_id, eos_id
        self.augmentor = make_augmentor(augmentor)
        self.seed = seed
        self.epoch = 0

    def __len__(self):
        return int(self.keep.sum())

    def _tokens(self, row):
        ids = self.parser(self.manifest.text(row))
        ids = ([self.bos_id] if self.bos_id is not None else []) + ids
        return ids + ([self.eos_id] if self.eos_id is not None else [])

    def _item(self, sample):
        key = sample["__key__"].rsplit("/", 1)[-1]
        row = self.manifest.lookup(key)
        if row < 0 or not self.keep[row]:
            return None
        audio_ext = next((ext for ext in AUDIO_EXTENSIONS if ext in sample), None)
        if audio_ext is None:
            raise ValueError(f"{sample.get('__url__')}: member {key} has no audio ({', '.join(AUDIO_EXTENSIONS)})")
        samples = decode_audio_bytes(sample[audio_ext], self.sample_rate, f"{key}.{audio_ext} in {sample.get('__url__')}",
                                     trim=self.trim_silence)
        if self.augmentor is not None:
            rng = np.random.default_rng([self.seed, self.epoch, zlib.crc32(key.encode())])
            samples = self.augmentor.perturb(samples, self.sample_rate, rng) if hasattr(self.augmentor, "perturb") \
                else self.augmentor(torch.from_numpy(samples)).numpy()
        tokens = torch.tensor(self._tokens(row), dtype=torch.int64)
        audio = torch.from_numpy(np.ascontiguousarray(samples, dtype=np.float32))
        return audio, torch.tensor(len(audio)), tokens, torch.tensor(len(tokens))

    def __iter__(self):
        import webdataset as wds  # imported when streaming starts, not with nemo_asr

        rank, world_size, worker, num_workers = wds.utils.pytorch_worker_info()
        if rank == 0 and worker == 0 and len(self.shards) < world_size * num_workers:
            logger.warning("%d tar shard(s) for %d rank(s) x %d loader worker(s): some get no data",
                           len(self.shards), world_size, num_workers)
        stages = [wds.SimpleShardList(self.shards)]
        if self.shuffle_n > 0:
            stages.append(wds.shuffle(len(self.shards), initial=len(self.shards), seed=hash((self.seed, self.epoch))))
        stages += [wds.split_by_node, wds.split_by_worker, wds.tarfile_to_samples()]
        if self.shuffle_n > 0:
            info = torch.utils.data.get_worker_info()
            stages.append(wds.shuffle(self.shuffle_n, seed=hash((self.seed, self.epoch, info.id if info else 0))))
        for sample in wds.DataPipeline(*stages):
            item = self._item(sample)
            if item is not None:
                yield item


class EpochLoader:
    """A DataLoader over a :class:`TarredAudioDataset` that advances the dataset's epoch each pass."""

    def __init__(self, dataset, batch_size, collate_fn, num_workers):
        self.dataset = dataset
        self.loader = torch.utils.data.DataLoader(dataset, batch_size=batch_size, collate_fn=collate_fn,
                                                  num_workers=num_workers)
        self._passes = 0

    def __iter__(self):
        self.dataset.epoch = self._passes
        self._passes += 1
        return iter(self.loader)

    def __len__(self):
        return -(-len(self.dataset) // self.loader.batch_size)
