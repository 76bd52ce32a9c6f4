"""Character and word error rates from a Levenshtein edit distance (jiwer's definitions).

Corpus-level rates: total substitutions + deletions + insertions over total reference units.
:func:`char_errors` splits the character errors by kind and lists the confusions (as kraken's ``ketos test`` and
sclite's reports do), to show what a model gets wrong, not only how often.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

__all__ = ["edit_distance", "ErrorCounts", "error_counts", "CharErrors", "char_errors", "cer", "wer"]


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


@dataclass(frozen=True)
class CharErrors:
    """Character errors by kind over a corpus, from one minimal alignment of each reference with its hypothesis.

    ``confusions``: ``(reference character, hypothesis character, count)``, most frequent first; ``""`` on the
    hypothesis side is a deletion (the model left the character out), on the reference side an insertion.
    """

    substitutions: int
    deletions: int
    insertions: int
    chars: int
    confusions: tuple[tuple[str, str, int], ...]

    @property
    def errors(self) -> int:
        return self.substitutions + self.deletions + self.insertions

    def to_dict(self, top: int | None = None) -> dict:
        return {"substitutions": self.substitutions, "deletions": self.deletions, "insertions": self.insertions,
                "chars": self.chars,
                "confusions": [{"ref": r, "hyp": h, "count": n} for r, h, n in self.confusions[:top]]}


def char_errors(refs: Sequence[str], hyps: Sequence[str]) -> CharErrors:
    """Substitutions, deletions and insertions of characters and their confusions; the three add up to the
    character edit distance that :func:`cer` counts (rapidfuzz's edit operations for one minimal alignment)."""
    if len(refs) != len(hyps):
        raise ValueError(f"{len(refs)} references but {len(hyps)} hypotheses")
    kinds: Counter = Counter()
    pairs: Counter = Counter()
    for r, h in zip(refs, hyps):
        for op in Levenshtein.editops(r, h):
            kinds[op.tag] += 1
            if op.tag == "replace":
                pairs[r[op.src_pos], h[op.dest_pos]] += 1
            elif op.tag == "delete":
                pairs[r[op.src_pos], ""] += 1
            else:
                pairs["", h[op.dest_pos]] += 1
    ranked = sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0]))
    return CharErrors(kinds["replace"], kinds["delete"], kinds["insert"], sum(len(r) for r in refs),
                      tuple((r, h, n) for (r, h), n in ranked))


def cer(refs: Sequence[str], hyps: Sequence[str]) -> float:
    """Corpus character error rate."""
    return error_counts(refs, hyps).cer


def wer(refs: Sequence[str], hyps: Sequence[str]) -> float:
    """Corpus word error rate."""
    return error_counts(refs, hyps).wer
