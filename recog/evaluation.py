"""Scoring a recogniser on a corpus: CER, WER and speed, without PyTorch (the runtime's recognisers score too)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .corpus import read_corpus
from .manifest import Utterance
from .metrics import CharErrors, ErrorCounts, char_errors, edit_distance

__all__ = ["EvalReport", "ItemScore", "score"]


@dataclass(frozen=True)
class ItemScore:
    """One item's reference, hypothesis and edit counts (texts as the model's normaliser writes them)."""

    name: str  # the input (a path, or "page.xml#line3")
    group: str | None  # speaker or writer
    reference: str
    hypothesis: str
    char_errors: int
    chars: int
    word_errors: int
    words: int
    extra: dict = field(default_factory=dict, compare=False)  # the manifest's other fields (e.g. "page")

    @property
    def cer(self) -> float:
        return self.char_errors / self.chars if self.chars else float(self.char_errors > 0)

    def to_dict(self) -> dict:
        return {"name": self.name, "group": self.group, "ref": self.reference, "hyp": self.hypothesis,
                "char_errors": self.char_errors, "chars": self.chars, "word_errors": self.word_errors,
                "words": self.words, **({"extra": self.extra} if self.extra else {})}


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
    items: tuple[ItemScore, ...]  # every item's reference, hypothesis and edit counts, in corpus order

    @property
    def references(self) -> list[str]:
        return [it.reference for it in self.items]

    @property
    def hypotheses(self) -> list[str]:
        return [it.hypothesis for it in self.items]

    def char_errors(self) -> CharErrors:
        """Substitutions, deletions, insertions and confusions over the corpus."""
        return char_errors(self.references, self.hypotheses)

    def by_group(self, key: str | None = None) -> dict[str, tuple[float, int, int]]:
        """CER per speaker/writer, or per value of the manifest field ``key`` (e.g. ``"page"``):
        ``{group: (cer, char_errors, chars)}``, worst first (items without one are left out)."""
        tot: dict[str, list[int]] = {}
        for it in self.items:
            g = it.group if key is None else it.extra.get(key)
            if g is not None:
                t = tot.setdefault(str(g), [0, 0])
                t[0] += it.char_errors
                t[1] += it.chars
        rows = {g: (e / n if n else float(e > 0), e, n) for g, (e, n) in tot.items()}
        return dict(sorted(rows.items(), key=lambda kv: (-kv[1][0], kv[0])))

    def worst(self, n: int) -> list[ItemScore]:
        """The ``n`` items with the most character errors (ties: the higher CER first, then corpus order)."""
        order = sorted(range(len(self.items)), key=lambda i: (-self.items[i].char_errors, -self.items[i].cer, i))
        return [self.items[i] for i in order[:n] if self.items[i].char_errors]

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


def score(manifest: str | os.PathLike | Sequence[Utterance], rec: Any, *, batch_size: int = 16,
          progress: Callable[[int, int, dict], None] | None = None, workers: int | str = 1) -> EvalReport:
    """Transcribe every item of a corpus with ``rec`` (anything with ``transcribe_batch``, ``alphabet`` and
    ``unit``: a :class:`recog.Recognizer` or a :class:`recog.runtime.OnnxRecognizer`) and score it, texts
    normalised by the model's normaliser. ``manifest``: a corpus path (:func:`recog.corpus.read_corpus`) or
    its utterances, already read. Input errors are raised (naming the file)."""
    utts = read_corpus(manifest) if isinstance(manifest, (str, os.PathLike)) else list(manifest)
    t0 = time.perf_counter()
    results = rec.transcribe_batch([u.path for u in utts], batch_size=batch_size, progress=progress, workers=workers)
    wall = time.perf_counter() - t0
    refs = [rec.alphabet.normalize(u.text) for u in utts]
    items = tuple(ItemScore(u.name, u.group, r, t.text, edit_distance(r, t.text), len(r),
                            edit_distance(r.split(), t.text.split()), len(r.split()), dict(u.extra))
                  for u, r, t in zip(utts, refs, results))
    counts = ErrorCounts(*(sum(getattr(it, k) for it in items)
                           for k in ("char_errors", "chars", "word_errors", "words")))
    seconds = float(sum(r.extent for r in results)) if rec.unit == "s" else None
    return EvalReport(
        cer=counts.cer,
        wer=counts.wer,
        n=len(utts),
        input_seconds=seconds,
        wall_seconds=wall,
        rtf=(wall / seconds) if seconds else None,
        items_per_second=len(utts) / wall if wall > 0 else float("inf"),
        items=items,
    )
