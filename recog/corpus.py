"""Corpora: what ``recog train`` and ``recog eval`` read, whatever the format.

A corpus is a JSONL manifest (:func:`recog.manifest.read_manifest`), a file in a format a plugin reads (PAGE/ALTO
XML of page scans, through the ``register_corpus_readers`` hook), or a folder of such files (searched
recursively, in sorted order).
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import DataError
from .manifest import Utterance, read_manifest
from .plugins import get_host

__all__ = ["read_corpus", "MANIFEST_SUFFIX"]

MANIFEST_SUFFIX = ".jsonl"


def read_corpus(path: str | os.PathLike) -> list[Utterance]:
    """Every utterance of a manifest, a plugin-read corpus file, or a folder of them.

    Raises:
        DataError: naming the path, for a missing path, an unknown format, or a folder without corpus files.
    """
    path = Path(path)
    readers = get_host().corpus_readers()
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file()
                       and (p.suffix.lower() == MANIFEST_SUFFIX or p.suffix.lower() in readers))
        if not files:
            known = ", ".join(sorted({MANIFEST_SUFFIX, *readers}))
            raise DataError(f"{path}: a folder with no corpus files ({known})")
        out: list[Utterance] = []
        for f in files:
            out.extend(_read_file(f, readers))
        return out
    return _read_file(path, readers)


def _read_file(path: Path, readers: dict) -> list[Utterance]:
    suffix = path.suffix.lower()
    if suffix in readers and suffix != MANIFEST_SUFFIX:
        if not path.is_file():
            raise DataError(f"{path}: corpus file not found")
        utts = readers[suffix][1](path)
        if not utts:
            raise DataError(f"{path}: no transcribed items")
        return list(utts)
    return read_manifest(path)
