"""Is model B really better than model A? A paired bootstrap of the CER (or WER) difference on the same items.

Two models read the same corpus; resampling its items (with replacement) many times and re-computing both error
rates on each resample gives the spread of the difference that the choice of test items alone would cause (Koehn 2004;
Bisani & Ney 2004). Lines of one page, or utterances of one speaker, are not independent draws, so by default
whole clusters are resampled: an item's page when it has one, else its speaker or writer, else the item itself.
With few clusters (five test writers) the interval is rough and tends to be too narrow: read it as a lower bound
on the uncertainty. Pure Python: it runs without PyTorch, on reports of either engine.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from .errors import DataError
from .evaluation import EvalReport, ItemScore

__all__ = ["Comparison", "paired_bootstrap"]


@dataclass(frozen=True)
class Comparison:
    """An error rate of model B against model A on the same items; ``delta`` < 0: B makes fewer errors."""

    metric: str  # "cer" or "wer"
    a: float  # A's error rate on the whole corpus
    b: float
    delta: float  # b - a, as fractions (0.001 = 0.1 points)
    low: float  # the ``level`` interval of delta over the resamples (percentile bootstrap)
    high: float
    b_better: float  # fraction of resamples in which B's error rate is below A's
    level: float
    clusters: int  # the units resampled
    cluster_by: str  # "item", "page", "speaker/writer", a manifest field, or "page, else speaker/writer, else item"
    resamples: int

    @property
    def significant(self) -> bool:
        """The interval excludes 0: at this level, the corpus' items alone do not explain the difference."""
        return self.low > 0 or self.high < 0

    def to_dict(self) -> dict:
        return {"metric": self.metric, "a": round(self.a, 5), "b": round(self.b, 5), "delta": round(self.delta, 5),
                "low": round(self.low, 5), "high": round(self.high, 5), "b_better": round(self.b_better, 4),
                "level": self.level, "significant": self.significant, "clusters": self.clusters,
                "cluster_by": self.cluster_by, "resamples": self.resamples}

    def describe(self, a: str = "A", b: str = "B") -> str:
        """One line: ``B vs A: CER 12.70% vs 12.76%, -0.06 points (95% interval -0.21 to +0.09, ...)``."""
        verdict = ("significant" if self.significant else "not significant") + f" at {self.level:.0%}"
        return (f"{b} vs {a}: {self.metric.upper()} {self.b:.2%} vs {self.a:.2%}, {100 * self.delta:+.2f} points "
                f"({self.level:.0%} interval {100 * self.low:+.2f} to {100 * self.high:+.2f}; {verdict}; {b} better in "
                f"{self.b_better:.0%} of {self.resamples} resamples of {self.clusters} clusters: {self.cluster_by})")


def _cluster_key(it: ItemScore, index: int, by: str) -> str:
    if by == "item":
        return f"#{index}"
    if by == "speaker/writer":
        return f"group:{it.group}" if it.group is not None else f"#{index}"
    if by == "auto":
        page = it.extra.get("page")
        if page is not None:
            return f"page:{page}"
        return f"group:{it.group}" if it.group is not None else f"#{index}"
    value = it.extra.get(by)
    return f"{by}:{value}" if value is not None else f"#{index}"


def _check_same_items(a: Sequence[ItemScore], b: Sequence[ItemScore]) -> None:
    if len(a) != len(b):
        raise DataError(f"paired bootstrap: the reports hold {len(a)} and {len(b)} items; both models must read "
                        "the same corpus")
    for i, (x, y) in enumerate(zip(a, b)):
        if x.name != y.name or x.reference != y.reference:
            raise DataError(f"paired bootstrap: item {i + 1} differs between the reports: {x.name!r} (reference "
                            f"{x.reference!r}) vs {y.name!r} (reference {y.reference!r}); both models must read the "
                            "same corpus with the same text normaliser")


def paired_bootstrap(a: EvalReport, b: EvalReport, *, metric: str = "cer", by: str = "auto", resamples: int = 2000,
                     level: float = 0.95, seed: int = 0) -> Comparison:
    """Compare the error rate of report ``b`` with report ``a`` (two models, one corpus, items in the same order).

    Args:
        metric: ``"cer"`` (character errors per reference character) or ``"wer"`` (words).
        by: what is resampled: ``"auto"`` (an item's ``page`` field when it has one, else its speaker/writer, else
            the item), ``"item"``, ``"speaker/writer"`` or any manifest field (items without it stand alone).
        resamples: bootstrap resamples (>= 100).
        level: the interval's coverage, in (0, 1).
        seed: the resampling's seed: the same inputs give the same interval.
    """
    if metric not in ("cer", "wer"):
        raise DataError(f"paired bootstrap: metric must be 'cer' or 'wer', got {metric!r}")
    if resamples < 100:
        raise DataError(f"paired bootstrap: resamples must be at least 100, got {resamples}")
    if not 0 < level < 1:
        raise DataError(f"paired bootstrap: level must be between 0 and 1, got {level}")
    _check_same_items(a.items, b.items)
    errors, units = ("char_errors", "chars") if metric == "cer" else ("word_errors", "words")
    sums: dict[str, list[int]] = {}  # cluster -> [A's errors, B's errors, reference characters or words]
    for i, (x, y) in enumerate(zip(a.items, b.items)):
        s = sums.setdefault(_cluster_key(x, i, by), [0, 0, 0])
        s[0] += getattr(x, errors)
        s[1] += getattr(y, errors)
        s[2] += getattr(x, units)
    cl = list(sums.values())
    total = sum(c[2] for c in cl)
    if not cl or total == 0:
        raise DataError(f"paired bootstrap: the corpus has no reference {'characters' if metric == 'cer' else 'words'} "
                        "to score")
    rate_a, rate_b = sum(c[0] for c in cl) / total, sum(c[1] for c in cl) / total
    rng = random.Random(seed)
    deltas, better = [], 0
    for _ in range(resamples):
        ea = eb = n = 0
        for c in rng.choices(cl, k=len(cl)):
            ea += c[0]
            eb += c[1]
            n += c[2]
        d = (eb - ea) / n if n else 0.0
        deltas.append(d)
        better += eb < ea
    deltas.sort()
    tail = (1 - level) / 2
    low = deltas[max(0, math.floor(tail * resamples))]
    high = deltas[min(resamples - 1, math.ceil((1 - tail) * resamples) - 1)]
    label = {"auto": "page, else speaker/writer, else item"}.get(by, by)
    return Comparison(metric, rate_a, rate_b, rate_b - rate_a, low, high, better / resamples, level, len(cl), label, resamples)
