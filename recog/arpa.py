"""Word (or character) n-gram language models in ARPA format, built with modified Kneser-Ney.

KenLM's ``lmplz`` is not on PyPI, so ``recog lm --words`` builds its ARPA files here; decoding
reads them with KenLM (inside flashlight-text). The estimate is interpolated modified Kneser-Ney
(Chen & Goodman 1998), as ``lmplz`` makes it:

* the highest order uses raw counts, lower orders use continuation counts ``N1+(. h w)`` (the number
  of distinct words seen before ``h w``), except n-grams that start with ``<s>``, which keep raw
  counts (nothing precedes the sentence start);
* three discounts per order from its count-of-counts ``n1..n4``: ``Y = n1 / (n1 + 2 n2)``,
  ``D1 = 1 - 2Y n2/n1``, ``D2 = 2 - 3Y n3/n2``, ``D3+ = 3 - 4Y n4/n3``;
* ``p(w | h) = (a(h w) - D(a(h w))) / a(h .) + gamma(h) p(w | h')`` with the mass
  ``gamma(h) = (D1 N1(h .) + D2 N2(h .) + D3+ N3+(h .)) / a(h .)`` and, under the unigrams, a
  uniform distribution over the vocabulary and ``<unk>``.

Pruning drops n-grams of an order whose raw count is at or below that order's threshold (the
context of every kept n-gram is kept). Backoff weights are computed from the kept entries so that
every context's distribution still sums to one::

    bow(h) = (1 - sum_{w kept after h} p(w | h)) / (1 - sum_{w kept after h} p(w | h'))

Texts are token sequences: words split at whitespace, or (``unit="char"``) the characters of a text
with ``|`` standing for the space (ARPA separates fields by whitespace).
"""

from __future__ import annotations

import math
import os
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .atomic import atomic_write
from .errors import BundleError, ConfigError
from .lm import perplexity

__all__ = ["NgramCounts", "ArpaModel", "build_arpa", "read_arpa", "BOS", "EOS", "UNK", "SPACE"]

BOS, EOS, UNK = "<s>", "</s>", "<unk>"
SPACE = "|"  # the space in character models
Gram = tuple[str, ...]


def tokenize(text: str, unit: str = "word") -> list[str]:
    """A text's tokens: its words, or its characters with spaces as :data:`SPACE`."""
    if unit == "word":
        return text.split()
    if unit == "char":
        return [SPACE if c.isspace() else c for c in " ".join(text.split())]
    raise ConfigError(f"n-gram unit must be 'word' or 'char', got {unit!r}")


@dataclass
class NgramCounts:
    """Raw n-gram counts of orders 1..n over sentences padded with ``<s>`` and ``</s>``."""

    order: int
    counts: list[Counter]  # counts[n][gram] for n in 1..order (index 0 unused)

    @classmethod
    def of(cls, sentences: Iterable[Sequence[str]], order: int) -> NgramCounts:
        if order < 1:
            raise ConfigError(f"n-gram order must be at least 1, got {order}")
        counts = [Counter() for _ in range(order + 1)]
        n_sent = 0
        for tokens in sentences:
            if not tokens:
                continue
            for t in tokens:
                if t in (BOS, EOS, UNK) or not t or any(c.isspace() for c in t):
                    raise ConfigError(f"token {t!r} cannot be an n-gram word (reserved or holds whitespace)")
            n_sent += 1
            w = (BOS, *tokens, EOS)
            for n in range(1, order + 1):
                for i in range(len(w) - n + 1):
                    g = w[i : i + n]
                    if g != (BOS,):
                        counts[n][g] += 1
        if n_sent == 0:
            raise ConfigError("no text to build an n-gram model from")
        return cls(order, counts)


def _discounts(adjusted: Counter) -> tuple[float, float, float]:
    """(D1, D2, D3+) from the count-of-counts of one order; 0.5/1/1.5 style fallback when too sparse."""
    n = Counter(min(c, 5) for c in adjusted.values())
    n1, n2, n3, n4 = (n.get(k, 0) for k in (1, 2, 3, 4))
    if min(n1, n2, n3, n4) == 0:
        return 0.5, 1.0, 1.5
    y = n1 / (n1 + 2 * n2)
    d = (1 - 2 * y * n2 / n1, 2 - 3 * y * n3 / n2, 3 - 4 * y * n4 / n3)
    return tuple(min(max(x, 0.05), k) for x, k in zip(d, (1, 2, 3)))  # type: ignore[return-value]


class ArpaModel:
    """An n-gram back-off model: ``prob[n][gram]`` and ``bow[n][gram]`` as natural-log values.

    Args:
        order: the highest n.
        prob: per order (index 1..order), n-gram -> log p(last | rest).
        bow: per order below the highest, n-gram -> log back-off weight (absent = 0).
        meta: facts written as ``#`` comments are not part of ARPA; they live in the LM file.
    """

    def __init__(self, order: int, prob: list[dict[Gram, float]], bow: list[dict[Gram, float]]) -> None:
        self.order, self.prob, self.bow = order, prob, bow

    @property
    def vocab(self) -> list[str]:
        """The words of the unigrams (``<s>``, ``</s>`` and ``<unk>`` included)."""
        return [g[0] for g in self.prob[1]]

    def logp(self, context: Sequence[str], word: str) -> float:
        """Natural-log p(word | context) by back-off (unknown words score as ``<unk>``)."""
        if (word,) not in self.prob[1]:
            word = UNK
        h = tuple(context)[-(self.order - 1) :] if self.order > 1 else ()
        penalty = 0.0
        while True:
            p = self.prob[len(h) + 1].get((*h, word))
            if p is not None:
                return penalty + p
            if not h:
                return -math.inf  # a model without <unk>
            penalty += self.bow[len(h)].get(h, 0.0) if h else 0.0
            h = h[1:]

    def score(self, tokens: Sequence[str]) -> float:
        """Natural-log probability of a sentence (``</s>`` included)."""
        ctx, total = [BOS], 0.0
        for w in (*tokens, EOS):
            total += self.logp(ctx, w)
            ctx.append(w)
        return total

    def perplexity(self, sentences: Iterable[Sequence[str]]) -> float:
        """Per-word perplexity (end symbols counted) over word lists."""
        return perplexity(self.score, sentences)

    def num_ngrams(self) -> list[int]:
        return [len(self.prob[n]) for n in range(1, self.order + 1)]

    def write(self, path: str | os.PathLike) -> Path:
        """Write the model as an ARPA text file (log10 values), atomically."""

        def put(tmp: Path) -> None:
            with open(tmp, "w", encoding="utf-8") as f:
                f.write(self.to_text())

        return atomic_write(Path(path), put)

    def to_text(self) -> str:
        ln10 = math.log(10)
        out = ["\\data\\"]
        out += [f"ngram {n}={len(self.prob[n])}" for n in range(1, self.order + 1)]
        for n in range(1, self.order + 1):
            out += ["", f"\\{n}-grams:"]
            bows = self.bow[n] if n < self.order else {}
            for g in sorted(self.prob[n]):
                p = self.prob[n][g]
                line = f"{p / ln10 if p > -1e9 else -99:.6f}\t{' '.join(g)}"
                b = bows.get(g)
                if b is not None:
                    line += f"\t{b / ln10:.6f}"
                out.append(line)
        out += ["", "\\end\\", ""]
        return "\n".join(out)


def build_arpa(
    sentences: Iterable[Sequence[str]], order: int = 3, prune: Sequence[int] = (), vocab: Iterable[str] | None = None
) -> ArpaModel:
    """An interpolated modified Kneser-Ney model of token ``sentences``.

    Args:
        sentences: token lists (see :func:`tokenize`).
        order: the highest n.
        prune: per order 1..n, drop n-grams seen at most this many times (0 keeps all; unigrams are
            never pruned; missing entries repeat the last, e.g. ``(0, 0, 1)``).
        vocab: extra words that get a unigram (closed vocabularies, lexicon words not in the text).
    """
    counts = NgramCounts.of(sentences, order)
    raw = counts.counts
    # adjusted counts: raw at the top order and for <s>-initial grams, continuation counts below
    adjusted = [Counter() for _ in range(order + 1)]
    adjusted[order] = Counter(raw[order])
    for n in range(order - 1, 0, -1):
        cont = Counter()
        for g in raw[n + 1]:
            cont[g[1:]] += 1
        adj = Counter()
        for g, c in raw[n].items():
            adj[g] = c if g[0] == BOS else cont.get(g, c)
        adjusted[n] = adj
    words = {g[0] for g in raw[1]} | {EOS} | set(vocab or ())
    words.discard(BOS)
    for w in words:
        adjusted[1].setdefault((w,), 0)
    # pruning by raw count (orders >= 2); contexts of kept grams are kept
    thresholds = [0] * (order + 1)
    for n in range(2, order + 1):
        if prune:
            thresholds[n] = int(prune[min(n, len(prune)) - 1])
        if thresholds[n] < 0:
            raise ConfigError(f"prune thresholds must be >= 0, got {list(prune)}")
    keep: list[set[Gram]] = [set() for _ in range(order + 1)]
    for n in range(2, order + 1):
        keep[n] = {g for g in adjusted[n] if raw[n].get(g, 0) > thresholds[n]}
    for n in range(order, 2, -1):  # the context of a kept gram must exist one order down
        keep[n - 1] |= {g[:-1] for g in keep[n]}
    # interpolated probabilities of every gram (before pruning), order by order
    prob: list[dict[Gram, float]] = [dict() for _ in range(order + 1)]
    full: list[dict[Gram, float]] = [dict() for _ in range(order + 1)]  # linear probabilities
    gamma: list[dict[Gram, float]] = [dict() for _ in range(order + 1)]
    for n in range(1, order + 1):
        d = _discounts({g: c for g, c in adjusted[n].items() if c > 0})
        totals: dict[Gram, float] = defaultdict(float)
        mass: dict[Gram, float] = defaultdict(float)
        for g, c in adjusted[n].items():
            if c <= 0:
                continue
            totals[g[:-1]] += c
            mass[g[:-1]] += d[min(c, 3) - 1]
        for h in totals:
            gamma[n - 1][h] = mass[h] / totals[h]
        uniform = 1.0 / (len(words) + 1)  # + <unk>
        for g, c in adjusted[n].items():
            h = g[:-1]
            lower = uniform if n == 1 else full[n - 1].get(g[1:])
            if lower is None:  # a suffix never seen (cannot happen with consistent counts)
                lower = _backoff_prob(full, gamma, g[1:], uniform)
            if h in totals:
                p = max(c - (d[min(c, 3) - 1] if c > 0 else 0.0), 0.0) / totals[h] + gamma[n - 1][h] * lower
            else:
                p = lower
            full[n][g] = p
    full[1][(UNK,)] = gamma[0].get((), 1.0) / (len(words) + 1)
    for n in range(1, order + 1):
        for g in keep[n] if n > 1 else full[1]:
            if g in full[n]:
                prob[n][g] = math.log(full[n][g]) if full[n][g] > 0 else -math.inf
    prob[1][(BOS,)] = -math.inf  # never predicted; ARPA writes -99
    # back-off weights from the kept entries (exact normalisation after pruning)
    bow: list[dict[Gram, float]] = [dict() for _ in range(order + 1)]
    model = ArpaModel(order, prob, bow)
    for n in range(1, order):
        followers: dict[Gram, list[Gram]] = defaultdict(list)
        for g in prob[n + 1]:
            followers[g[:-1]].append(g)
        for h in prob[n]:
            nxt = followers.get(h)
            if not nxt:
                continue
            hi = sum(math.exp(prob[n + 1][g]) for g in nxt)
            lo = sum(math.exp(model.logp(h[1:], g[-1])) for g in nxt)
            num, den = max(1.0 - hi, 1e-12), max(1.0 - lo, 1e-12)
            bow[n][h] = math.log(num / den)
    return model


def _backoff_prob(full, gamma, g: Gram, uniform: float) -> float:
    while len(g) > 1 and g not in full[len(g)]:
        g = g[1:]
    return full[len(g)].get(g, uniform)


def read_arpa(path: str | os.PathLike) -> ArpaModel:
    """Read an ARPA file (our own or KenLM/SRILM's); raises :class:`BundleError` naming it when malformed."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise BundleError(path, "no such ARPA file") from None
    except (OSError, UnicodeDecodeError) as e:
        raise BundleError(path, f"cannot read ARPA text ({e})") from None
    return parse_arpa(lines, path)


def parse_arpa(lines: Iterable[str], path: str | os.PathLike = "<arpa>") -> ArpaModel:
    ln10 = math.log(10)
    it = iter(lines)
    declared: dict[int, int] = {}
    for line in it:
        if line.strip() == "\\data\\":
            break
    else:
        raise BundleError(path, "not an ARPA file (no \\data\\ section)")
    n = 0
    prob: list[dict[Gram, float]] = [dict()]
    bow: list[dict[Gram, float]] = [dict()]
    try:
        for line in it:
            s = line.strip()
            if not s:
                continue
            if s.startswith("ngram "):
                k, v = s[6:].split("=")
                declared[int(k)] = int(v)
            elif s == "\\end\\":
                break
            elif s.startswith("\\") and s.endswith("-grams:"):
                n = int(s[1:-7])
                while len(prob) <= n:
                    prob.append({})
                    bow.append({})
            else:
                parts = s.split()
                if n == 0 or len(parts) not in (n + 1, n + 2):
                    raise ValueError(f"bad line {s[:60]!r}")
                g = tuple(parts[1 : n + 1])
                prob[n][g] = float(parts[0]) * ln10
                if len(parts) == n + 2:
                    bow[n][g] = float(parts[-1]) * ln10
    except ValueError as e:
        raise BundleError(path, f"malformed ARPA entry ({e})") from None
    order = len(prob) - 1
    if order < 1 or any(len(prob[k]) != declared.get(k, -1) for k in range(1, order + 1)):
        raise BundleError(path, "ARPA counts in \\data\\ do not match its sections")
    bow.append({})
    return ArpaModel(order, prob, bow)
