"""Character and word error rates from a Levenshtein edit distance (jiwer's definitions).

Corpus-level rates: total substitutions + deletions + insertions over total reference units.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

__all__ = ["edit_distance", "ErrorCounts", "error_counts", "cer", "wer"]


def edit_distance(ref: Sequence, hyp: Sequence) -> int:
    """Minimum number of substitutions, deletions and insertions turning ``ref`` into ``hyp`` (strings or lists
    of words; rapidfuzz's C++ Levenshtein, milliseconds where a Python loop took seconds on long transcripts)."""
    return int(Levenshtein.distance(ref, hyp))


@dataclass(frozen=True)
class ErrorCounts:
    """Edit-distance totals over a corpus."""

    char_errors: int
    chars: int
    word_errors: int
    words: int

    @property
    def cer(self) -> float:
        return self.char_errors / self.chars if self.chars else float(self.char_errors > 0)

    @property
    def wer(self) -> float:
        return self.word_errors / self.words if self.words else float(self.word_errors > 0)


def error_counts(refs: Sequence[str], hyps: Sequence[str]) -> ErrorCounts:
    """Character and word edit totals of paired references and hypotheses.

    Words are whitespace-separated tokens; characters include the spaces between words, as jiwer's CER.
    """
    if len(refs) != len(hyps):
        raise ValueError(f"{len(refs)} references but {len(hyps)} hypotheses")
    ce = c = we = w = 0
    for r, h in zip(refs, hyps):
        ce += edit_distance(r, h)
        c += len(r)
        rw, hw = r.split(), h.split()
        we += edit_distance(rw, hw)
        w += len(rw)
    return ErrorCounts(ce, c, we, w)


def cer(refs: Sequence[str], hyps: Sequence[str]) -> float:
    """Corpus character error rate."""
    return error_counts(refs, hyps).cer


def wer(refs: Sequence[str], hyps: Sequence[str]) -> float:
    """Corpus word error rate."""
    return error_counts(refs, hyps).wer
