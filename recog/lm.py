"""Character n-gram language models for CTC beam search (torch-free; the distributions are computed in C).

An open-vocabulary model over the characters of a model's alphabet: it learns spelling and word
shapes from text (``"sixty" not "sixt"``, ``"Straße" not "Strafse"``) without a fixed word list.
Interpolated Witten-Bell smoothing::

    P(c | h) = (N(h, c) + T(h) * P(c | h[1:])) / (N(h) + T(h))

where ``N(h, c)`` counts ``c`` after the context ``h``, ``N(h)`` all counts after ``h`` and ``T(h)``
the number of distinct characters seen after ``h``; the recursion ends in a uniform distribution
over the vocabulary plus the end-of-text symbol. Texts are padded with ``order - 1`` start symbols,
so the first characters of a text are scored as text-initial.

Files are gzip-compressed JSON (``*.lm.json.gz``), format ``recog-charlm/1``.
"""

from __future__ import annotations

import gzip
import json
import math
import os
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from .atomic import atomic_write
from .errors import BundleError, ConfigError
from .native import ctcbeam

__all__ = ["CharLanguageModel", "CharNgramLM", "BOS", "EOS"]

FORMAT = "recog-charlm/1"
_CACHE_MAX = 20_000  # cached rows (each the log-probabilities of every symbol after one context)
BOS, EOS = "\x02", "\x03"  # start padding and end-of-text symbols (never in an alphabet: control characters)


@runtime_checkable
class CharLanguageModel(Protocol):
    """What the ``beam`` decoder needs of a character LM: a plugin may bring its own (a neural LM ...).

    The state is whatever the model needs to remember of the text so far (hashable, immutable);
    :data:`EOS` is the end-of-text symbol. ``vocab`` lists the characters it scores (checked against
    the model's alphabet); ``meta`` may hold tuned beam settings under ``"decode"``.
    """

    vocab: Sequence[str]
    meta: dict

    def start(self) -> Hashable:
        """The state a text starts in."""
        ...

    def logp(self, state: Any, char: str) -> float:
        """Natural-log probability of ``char`` (or :data:`EOS`) in ``state``."""
        ...

    def advance(self, state: Any, char: str) -> Hashable:
        """The state after reading ``char``."""
        ...


class CharNgramLM:
    """A character n-gram model with interpolated Witten-Bell smoothing (a :class:`CharLanguageModel`).

    Args:
        order: n, the number of characters in an n-gram (context = n - 1 characters).
        vocab: the characters the model scores (EOS is added); others get probability from the
            uniform floor only.
        counts: context -> {character: count}, for contexts of length 0 .. n - 1.
        meta: free-form facts stored with the file: the texts it was built from, and under
            ``"decode"`` the beam settings tuned for it (defaults for :class:`recog.beam.BeamOptions`).
    """

    def __init__(self, order: int, vocab: Iterable[str], counts: dict[str, dict[str, int]], meta: dict | None = None) -> None:
        if order < 1:
            raise ConfigError(f"n-gram order must be at least 1, got {order}")
        self.order = order
        self.vocab = sorted(set(vocab) - {BOS, EOS})
        self.counts = counts
        self.meta = dict(meta or {})
        self._floor = 1.0 / (len(self.vocab) + 1)  # uniform over vocab + EOS
        self._totals = {h: (sum(d.values()), len(d)) for h, d in counts.items()}  # h -> (N(h), T(h))
        self._symbols = self.vocab + [EOS]
        self._index = {c: i for i, c in enumerate(self._symbols)}
        self._log_dists: dict[str, np.ndarray] = {}  # seen context -> log P(symbol | context) (S,)
        self._rows: dict[str, np.ndarray] = {}  # context as given -> its seen suffix's log P (S,)

    # --- training ---------------------------------------------------------------------------
    @classmethod
    def train(cls, texts: Iterable[str], order: int = 6, vocab: Iterable[str] | None = None) -> CharNgramLM:
        """Count n-grams of ``texts`` (already normalised as the model's alphabet normalises).

        Characters outside ``vocab`` (when given) split a text: n-grams never span them.
        """
        if order < 1:
            raise ConfigError(f"n-gram order must be at least 1, got {order}")
        allowed = set(vocab) if vocab is not None else None
        counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        seen: set[str] = set()
        n_texts = 0
        for text in texts:
            pieces = [text] if allowed is None else _split_unknown(text, allowed)
            for piece in pieces:
                if not piece.strip():
                    continue
                n_texts += 1
                seen.update(piece)
                padded = BOS * (order - 1) + piece + EOS
                for i in range(order - 1, len(padded)):
                    c = padded[i]
                    for k in range(order):  # contexts of length 0 .. order-1 ending before i
                        counts[padded[i - k : i]][c] += 1
        if n_texts == 0:
            raise ConfigError("no text to train a language model on")
        frozen = {h: dict(d) for h, d in counts.items()}
        return cls(order, allowed if allowed is not None else seen, frozen)

    # --- scoring ----------------------------------------------------------------------------
    def logp(self, context: str, char: str) -> float:
        """Natural-log probability of ``char`` (or :data:`EOS`) after ``context`` (only its last n-1 characters matter).

        The whole distribution after a context is computed at once and cached: a beam search asks
        for several characters after each context.
        """
        i = self._index.get(char)
        if i is None:  # a character the model never saw: the back-off mass of every level, spread uniformly
            return float(self.log_row(context, {char: 0}, 1)[0])
        return float(self.log_dist(context)[i])

    @property
    def symbols(self) -> list[str]:
        """What :meth:`log_dist` scores, in its order: the vocabulary, then :data:`EOS`."""
        return self._symbols

    def log_dist(self, context: str) -> np.ndarray:
        """Natural-log probabilities of every symbol (:attr:`symbols`) after ``context`` ``(S,)``, cached."""
        row = self._rows.get(context)
        if row is None:
            if len(self._rows) >= _CACHE_MAX:  # bounded memory over hours of audio
                self._rows.clear()
                self._log_dists.clear()
            h = self._seen_suffix(context)
            row = self._log_dists.get(h)
            if row is None:
                row = self._log_dists[h] = self.log_row(h, self._index, len(self._symbols))
            self._rows[context] = row
        return row

    def log_row(self, context: str, columns: dict[str, int], size: int) -> np.ndarray:
        """Natural-log probabilities after ``context`` laid out as ``columns`` says (symbol -> index) ``(size,)``.

        The Witten-Bell recursion runs in C (:func:`recog._ctcbeam.witten_bell`) over the context's
        suffixes; a beam search asks for rows in its own token order this way, with no copy.
        """
        out = np.empty(size)
        recent = context[-(self.order - 1) :] if self.order > 1 else ""  # its unseen suffixes are skipped in C
        ctcbeam().witten_bell(recent, self.counts, self._totals, columns, self._floor, out)
        return out

    def _seen_suffix(self, context: str) -> str:
        """The longest suffix of the last n-1 characters seen in training (an unseen context scores as it)."""
        h = context[-(self.order - 1) :] if self.order > 1 else ""
        while h and h not in self._totals:
            h = h[1:]
        return h

    def start(self) -> str:
        """The context a text starts in."""
        return BOS * (self.order - 1)

    def advance(self, context: str, char: str) -> str:
        """The context after ``char``: the last n-1 characters."""
        return (context + char)[-(self.order - 1) :] if self.order > 1 else ""

    def score(self, text: str) -> float:
        """Log-probability of a whole text, end symbol included."""
        ctx, total = self.start(), 0.0
        for c in text + EOS:
            total += self.logp(ctx, c)
            ctx = self.advance(ctx, c)
        return total

    def perplexity(self, texts: Iterable[str]) -> float:
        """Per-character perplexity (end symbols counted) over ``texts``."""
        return perplexity(self.score, texts)

    # --- files ------------------------------------------------------------------------------
    def save(self, path: str | os.PathLike) -> Path:
        path = Path(path)
        doc = {"format": FORMAT, "order": self.order, "vocab": self.vocab, "meta": self.meta, "counts": self.counts}

        def write(tmp: Path) -> None:
            with gzip.open(tmp, "wt", encoding="utf-8") as f:
                json.dump(doc, f, ensure_ascii=False, separators=(",", ":"))

        return atomic_write(path, write)  # readers never see half a file

    @classmethod
    def load(cls, path: str | os.PathLike) -> CharNgramLM:
        """Read a ``*.lm.json.gz`` file; raises :class:`BundleError` naming it if it is missing or foreign."""
        path = Path(path)
        if not path.is_file():
            raise BundleError(path, "no such language model file")
        try:
            with gzip.open(path, "rt", encoding="utf-8") as f:
                doc = json.load(f)
        except (OSError, EOFError, json.JSONDecodeError, UnicodeDecodeError) as e:
            raise BundleError(path, f"not a gzip-compressed JSON language model ({e})") from None
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise BundleError(path, f"not a recog character language model (expected format {FORMAT!r})")
        try:
            return cls(int(doc["order"]), doc["vocab"], doc["counts"], doc.get("meta"))
        except (KeyError, TypeError, ValueError) as e:
            raise BundleError(path, f"language model lacks or mangles field {e}") from None

    def __repr__(self) -> str:
        return f"CharNgramLM(order={self.order}, vocab={len(self.vocab)}, contexts={len(self.counts)})"


def _split_unknown(text: str, allowed: set[str]) -> list[str]:
    out, cur = [], []
    for c in text:
        if c in allowed:
            cur.append(c)
        elif cur:
            out.append("".join(cur))
            cur = []
    if cur:
        out.append("".join(cur))
    return out


def perplexity(score, items: Iterable) -> float:
    """``exp(-sum log P / N)`` over ``items`` (texts or word lists), each with its end symbol: N = sum(len + 1)."""
    logp, n = 0.0, 0
    for item in items:
        logp += score(item)
        n += len(item) + 1
    if n == 0:
        raise ConfigError("no text to measure perplexity on")
    return math.exp(-logp / n)
