"""A throwaway frontend for core tests: ``.toy`` text files whose characters become feature columns.

Each character k of TOY_CHARS lights row k of an (1, 8, T) map for 3 frames, followed by a quiet
frame, so a tiny model can learn it in seconds. Registered in fixtures, never through entry points.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

import torch

from recog import CorruptInputError, EmptyInputError, Features, Frontend, FrontendConfig, SeveralRegionsError, hookimpl
from recog.frontend import read_head

TOY_CHARS = "abcd "


@dataclass(frozen=True)
class ToyConfig(FrontendConfig):
    rows: int = 8  # feature rows
    frames_per_char: int = 3  # frames each character lights


class ToyFrontend(Frontend):
    name = "toy"
    config_class = ToyConfig
    suffixes = (".toy",)
    unit = "s"
    default_model = "toy-model"

    @classmethod
    def sniff(cls, head: bytes) -> bool:
        return head.startswith(b"TOY:")

    @classmethod
    def accepts_object(cls, obj) -> bool:
        return isinstance(obj, str) and obj.startswith("TOY:")

    @property
    def in_features(self) -> int:
        return self.config.rows

    def load(self, source) -> str:
        if isinstance(source, str) and source.startswith("TOY:"):
            text = source[4:]
        else:
            read_head(source)
            data = Path(source).read_bytes()
            if not data.startswith(b"TOY:"):
                raise CorruptInputError(source, "not a toy file (no TOY: header)")
            text = data[4:].decode()
        if not text:
            raise EmptyInputError(source, "no characters")
        if "|" in text:  # a toy "page": regions split by |, read one by one (a document reader in tests)
            raise SeveralRegionsError(source, f"holds {text.count('|') + 1} regions")
        return text

    def featurize(self, raw: str, *, augment: bool = False, generator=None) -> Features:
        k = self.config.frames_per_char
        x = torch.zeros(1, self.config.rows, len(raw) * (k + 1))  # (C, F, T)
        for i, c in enumerate(raw):
            x[0, TOY_CHARS.index(c), i * (k + 1) : i * (k + 1) + k] = 1.0
        if augment:
            x = x + 0.1 * torch.randn(x.shape, generator=generator)
        return Features(x, 0.01, "s")

    def length_hint(self, raw: str) -> float:
        return float(len(raw) * (self.config.frames_per_char + 1))


class ToyPlugin:
    @hookimpl
    def register_frontends(self, register):
        register(ToyFrontend)


def make_toy_corpus(folder: Path, n: int, seed: int, groups: int = 4) -> Path:
    """Write ``n`` toy files and ``folder/all.jsonl``; returns the manifest path."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    lines = []
    for i in range(n):
        words = ["".join(rng.choice("abcd") for _ in range(rng.randint(1, 4))) for _ in range(rng.randint(1, 3))]
        text = " ".join(words)
        (folder / f"{i}.toy").write_text("TOY:" + text)
        lines.append(json.dumps({"path": f"{i}.toy", "text": text.upper(), "speaker": f"s{i % groups}"}))
    (folder / "all.jsonl").write_text("\n".join(lines) + "\n")
    return folder / "all.jsonl"
