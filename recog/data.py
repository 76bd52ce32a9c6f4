"""Datasets and length-bucketed batches over manifests (:mod:`recog.manifest`).

Datasets decode each input once
through a frontend (raw signals are cached in memory) and featurize per access, with augmentation
seeded per (seed, epoch, item) so that training is exactly reproducible and resumable.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import torch

from .errors import DataError, InputError
from .frontend import Frontend
from .manifest import Utterance, read_manifest, split_by_group
from .vocab import Alphabet

__all__ = ["Utterance", "read_manifest", "split_by_group", "Batch", "FeatureDataset", "BucketBatchSampler", "collate"]


@dataclass
class Batch:
    """A padded batch.

    Attributes:
        features: (B, C, F, T) zero-padded.
        lengths: (B,) valid frames.
        targets: (B, L) zero-padded token ids.
        target_lengths: (B,).
        texts: normalised reference texts.
        indices: dataset indices of the items.
    """

    features: torch.Tensor
    lengths: torch.Tensor
    targets: torch.Tensor
    target_lengths: torch.Tensor
    texts: list[str]
    indices: list[int]

    def to(self, device: torch.device | str) -> Batch:
        return Batch(
            self.features.to(device),
            self.lengths.to(device),
            self.targets.to(device),
            self.target_lengths.to(device),
            self.texts,
            self.indices,
        )


class FeatureDataset(torch.utils.data.Dataset):
    """Utterances decoded once through a frontend, featurized (and augmented) per access.

    Args:
        utts: the utterances.
        frontend: decodes and featurizes inputs.
        alphabet: encodes transcripts; characters outside it raise :class:`DataError` unless
            ``skip_unknown`` is set, in which case those utterances are left out and counted in
            :attr:`skipped` (never silently).
        augment: apply the frontend's training augmentation.
        seed: base seed of the per-item augmentation generators.
    """

    def __init__(
        self,
        utts: Sequence[Utterance],
        frontend: Frontend,
        alphabet: Alphabet,
        *,
        augment: bool = False,
        seed: int = 0,
        skip_unknown: bool = False,
    ) -> None:
        self.frontend = frontend
        self.alphabet = alphabet
        self.augment = augment
        self.seed = seed
        self.epoch = 0
        report = alphabet.check(u.text for u in utts)
        self.out_of_alphabet = report
        if report and not skip_unknown:
            raise DataError(f"training text does not fit the alphabet: {report}")
        self.utts = [u for u in utts if not alphabet.missing(u.text)]
        self.skipped = len(utts) - len(self.utts)
        self.raw: list[Any] = []
        self.targets: list[list[int]] = []
        for u in self.utts:
            try:
                self.raw.append(frontend.load(u.path))
            except InputError as e:
                raise DataError(f"cannot read training input: {e}") from e
            self.targets.append(alphabet.encode(u.text, source=u.name))
        self.lengths = [frontend.length_hint(r) for r in self.raw]

    def __len__(self) -> int:
        return len(self.utts)

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __getitem__(self, i: int) -> tuple[torch.Tensor, list[int], str, int]:
        gen = None
        if self.augment:
            gen = torch.Generator().manual_seed(hash_seed(self.seed, self.epoch, i))
        feats = self.frontend.featurize(self.raw[i], augment=self.augment, generator=gen)
        return feats.data, self.targets[i], self.alphabet.normalize(self.utts[i].text), i


def hash_seed(*parts: int) -> int:
    """A stable 63-bit seed from integers."""
    h = 1469598103934665603
    for p in parts:
        h = ((h ^ (p & 0xFFFFFFFFFFFFFFFF)) * 1099511628211) & 0x7FFFFFFFFFFFFFFF
    return h


def collate(items: Iterable[tuple[torch.Tensor, list[int], str, int]]) -> Batch:
    """Pad features ``(C, F, T_i)`` to ``(B, C, F, T_max)`` and targets to ``(B, L_max)``."""
    items = list(items)
    feats = [x[0] for x in items]
    c, f = feats[0].shape[:2]
    t_max = max(x.shape[-1] for x in feats)
    out = feats[0].new_zeros(len(feats), c, f, t_max)
    for k, x in enumerate(feats):
        out[k, :, :, : x.shape[-1]] = x
    lengths = torch.tensor([x.shape[-1] for x in feats], dtype=torch.long)
    tl = torch.tensor([len(x[1]) for x in items], dtype=torch.long)
    targets = torch.zeros(len(items), max(1, int(tl.max())), dtype=torch.long)
    for k, x in enumerate(items):
        targets[k, : len(x[1])] = torch.tensor(x[1], dtype=torch.long)
    return Batch(out, lengths, targets, tl, [x[2] for x in items], [x[3] for x in items])


class BucketBatchSampler:
    """Batches of similar length: sort by length within shuffled pools, cap items and frames per batch.

    Deterministic given (seed, epoch). With ``num_replicas > 1`` each rank gets every
    ``num_replicas``-th batch (batches are trimmed to a multiple of the replica count).
    """

    def __init__(
        self,
        lengths: Sequence[float],
        batch_size: int,
        *,
        max_frames: float | None = None,
        shuffle: bool = True,
        seed: int = 0,
        num_replicas: int = 1,
        rank: int = 0,
        pool_batches: int = 50,
    ) -> None:
        self.lengths = list(lengths)
        self.batch_size = batch_size
        self.max_frames = max_frames
        self.shuffle = shuffle
        self.seed = seed
        self.num_replicas = num_replicas
        self.rank = rank
        self.pool = pool_batches * batch_size
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def _all_batches(self) -> list[list[int]]:
        idx = list(range(len(self.lengths)))
        rng = random.Random(hash_seed(self.seed, self.epoch))
        if self.shuffle:
            rng.shuffle(idx)
        batches = []
        for p in range(0, len(idx), self.pool):
            pool = sorted(idx[p : p + self.pool], key=lambda i: self.lengths[i])
            cur: list[int] = []
            for i in pool:
                longest = max([self.lengths[j] for j in cur] + [self.lengths[i]])
                too_many = len(cur) >= self.batch_size
                too_long = self.max_frames is not None and cur and longest * (len(cur) + 1) > self.max_frames
                if too_many or too_long:
                    batches.append(cur)
                    cur = []
                cur.append(i)
            if cur:
                batches.append(cur)
        if self.shuffle:
            rng.shuffle(batches)
        if self.num_replicas > 1:
            usable = len(batches) - len(batches) % self.num_replicas
            batches = batches[:usable]
        return batches

    def __iter__(self) -> Iterator[list[int]]:
        return iter(self._all_batches()[self.rank :: self.num_replicas])

    def __len__(self) -> int:
        return len(self._all_batches()) // self.num_replicas  # batches are trimmed to a multiple of the replicas
