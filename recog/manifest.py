"""Manifests: JSONL corpora of (input, transcript) items, read and checked without PyTorch.

A manifest is JSONL, one utterance per line: ``{"path": ..., "text": ..., "speaker"|"writer": ...,
"duration": ...}`` with ``path`` relative to the manifest's folder.
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import DataError

__all__ = ["Utterance", "read_manifest", "split_by_group"]


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
        """How errors and reports name this item: its source, or its path with ``..`` folded away."""
        if self.extra.get("source"):
            return str(self.extra["source"])
        return os.path.normpath(self.path) if isinstance(self.path, Path) else str(self.path)


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
