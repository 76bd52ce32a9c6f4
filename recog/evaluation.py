"""Scoring a recogniser on a corpus: CER, WER and speed, without PyTorch (the runtime's recognisers score too)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .corpus import read_corpus
from .metrics import error_counts

__all__ = ["EvalReport", "score"]


@dataclass(frozen=True)
class EvalReport:
    """Scores of a model on a manifest."""

    cer: float
    wer: float
    n: int
    input_seconds: float | None  # total duration of the inputs (audio), None for images
    wall_seconds: float
    rtf: float | None  # wall seconds per second of input
    items_per_second: float
    hypotheses: list[str]
    references: list[str]

    def to_dict(self) -> dict:
        return {
            "cer": round(self.cer, 5),
            "wer": round(self.wer, 5),
            "n": self.n,
            "input_seconds": None if self.input_seconds is None else round(self.input_seconds, 2),
            "wall_seconds": round(self.wall_seconds, 3),
            "rtf": None if self.rtf is None else round(self.rtf, 5),
            "items_per_second": round(self.items_per_second, 2),
        }


def score(manifest: str | os.PathLike, rec: Any, *, batch_size: int = 16,
          progress: Callable[[int, int, dict], None] | None = None, workers: int | str = 1) -> EvalReport:
    """Transcribe every item of a corpus with ``rec`` (anything with ``transcribe_batch``, ``alphabet`` and
    ``unit``: a :class:`recog.Recognizer` or a :class:`recog.runtime.OnnxRecognizer`) and score it, texts
    normalised by the model's normaliser. Input errors are raised (naming the file)."""
    utts = read_corpus(manifest)
    t0 = time.perf_counter()
    results = rec.transcribe_batch([u.path for u in utts], batch_size=batch_size, progress=progress, workers=workers)
    wall = time.perf_counter() - t0
    refs = [rec.alphabet.normalize(u.text) for u in utts]
    hyps = [r.text for r in results]
    counts = error_counts(refs, hyps)
    seconds = float(sum(r.extent for r in results)) if rec.unit == "s" else None
    return EvalReport(
        cer=counts.cer,
        wer=counts.wer,
        n=len(utts),
        input_seconds=seconds,
        wall_seconds=wall,
        rtf=(wall / seconds) if seconds else None,
        items_per_second=len(utts) / wall if wall > 0 else float("inf"),
        hypotheses=hyps,
        references=refs,
    )
