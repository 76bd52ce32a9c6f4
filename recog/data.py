"""Manifests, datasets and length-bucketed batches.

A manifest is JSONL, one utterance per line: ``{"path": ..., "text": ..., "speaker"|"writer": ...,
"duration": ...}`` with ``path`` relative to the manifest's folder. Datasets decode each input once
through a frontend (raw signals are cached in memory) and featurize per access, with augmentation
seeded per (seed, epoch, item) so that training is exactly reproducible and resumable.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from .errors import DataError, InputError
from .frontend import Frontend
from .vocab import Alphabet

__all__ = ["Utterance", "read_manifest", "split_by_group", "Batch", "FeatureDataset", "BucketBatchSampler", "collate"]


@dataclass(frozen=True)
class Utterance:
    """One corpus item. ``group`` is the speaker or writer (for group-disjoint splits).

    ``path`` is the input: a file path, or an in-memory source a frontend loads (a line crop of a page
    scan); then ``extra["source"]`` names it (``"page.xml#line3"``).
    """

    path: Any
    text: str
    group: str | None = None
    duration: float | None = None
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def name(self) -> str:
        """How errors name this item."""
        return str(self.extra.get("source") or self.path)


def read_manifest(path: str | Path) -> list[Utterance]:
    """Read a JSONL manifest (UTF-8, a byte-order mark allowed); paths are resolved against the manifest's folder.

    Raises:
        DataError: naming the file and line for a missing or unreadable file, another encoding, bad JSON,
            or a missing or mistyped field (``path`` and ``text`` strings, ``speaker``/``writer`` a string or
            number, ``duration`` a number).
    """
    path = Path(path)
    if path.is_dir():
        raise DataError(f"{path}: a folder, not a manifest (give a .jsonl file)")
    if not path.is_file():
        raise DataError(f"{path}: manifest not found")
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise DataError(f"{path}: cannot read the manifest ({e.strerror or e})") from None
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise DataError(f"{path}:{line}: not UTF-8 (byte 0x{raw[e.start]:02x}); manifests are UTF-8 JSONL") from None
    out = []
    for n, line in enumerate(content.splitlines(), 1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
        except json.JSONDecodeError as e:
            raise DataError(f"{path}:{n}: not valid JSON ({e.msg})") from None
        if not isinstance(d, dict) or "path" not in d or "text" not in d:
            raise DataError(f"{path}:{n}: each line needs 'path' and 'text'")
        for key in ("path", "text"):
            if not isinstance(d[key], str):
                raise DataError(f"{path}:{n}: {key!r} must be a string, got {_json_type(d[key])}")
        if not d["path"].strip():
            raise DataError(f"{path}:{n}: 'path' is empty")
        group = d.get("speaker", d.get("writer"))
        if group is not None and (isinstance(group, bool) or not isinstance(group, (str, int, float))):
            raise DataError(f"{path}:{n}: 'speaker'/'writer' must be a string or number, got {_json_type(group)}")
        dur = d.get("duration")
        if dur is not None and (isinstance(dur, bool) or not isinstance(dur, (int, float))):
            raise DataError(f"{path}:{n}: 'duration' must be a number, got {_json_type(dur)}")
        extra = {k: v for k, v in d.items() if k not in ("path", "text", "speaker", "writer", "duration")}
        out.append(
            Utterance(
                path=(path.parent / d["path"]),
                text=d["text"],
                group=None if group is None else str(group),
                duration=dur,
                extra=extra,
            )
        )
    if not out:
        raise DataError(f"{path}: manifest is empty")
    return out


def _json_type(v: Any) -> str:
    return {dict: "an object", list: "a list", type(None): "null", bool: "a boolean", int: "a number",
            float: "a number", str: "a string"}.get(type(v), type(v).__name__)


def split_by_group(
    utts: Sequence[Utterance], fraction: float, seed: int = 0
) -> tuple[list[Utterance], list[Utterance]]:
    """Hold out about ``fraction`` of the groups (speakers/writers) entirely: returns (kept, held_out)."""
    groups = sorted({u.group for u in utts if u.group is not None})
    if len(groups) < 2:
        raise DataError("a group-disjoint split needs at least two speakers or writers")
    rng = random.Random(seed)
    rng.shuffle(groups)
    n_out = max(1, round(fraction * len(groups)))
    held = set(groups[:n_out])
    return [u for u in utts if u.group not in held], [u for u in utts if u.group in held]


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
