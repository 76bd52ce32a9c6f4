"""Typed results shared by the PyTorch recogniser and the torch-free ONNX runtime."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .decode import CTCHypothesis
from .errors import InputError

__all__ = ["TokenTiming", "Transcript", "Stitcher", "empty_reason", "token_timings", "collapse_spaces", "describe_source"]


@dataclass(frozen=True)
class TokenTiming:
    """A character or word with its position in the input (seconds or pixels) and a confidence in [0, 1]."""

    text: str
    start: float
    end: float
    confidence: float

    def to_dict(self) -> dict:
        return {"text": self.text, "start": round(self.start, 4), "end": round(self.end, 4), "confidence": round(self.confidence, 4)}


@dataclass(frozen=True)
class Transcript:
    """The result of transcribing one input.

    Attributes:
        text: the transcript.
        tokens: one entry per character of ``text`` (spaces included), with start and end.
        confidence: geometric mean of the best-path posteriors, in [0, 1].
        unit: "s" (seconds) or "px" (pixels) for token positions.
        source: the input's path or a description.
        model: the model's name.
        extent: the input's length in ``unit`` (its duration, or its width in pixels).
        alternatives: with a beam decoder asked for ``nbest`` > 1 (and an input read in one piece):
            the best distinct texts with their decoder scores, best first, ``text`` among them.
        warnings: why a transcript is empty: the input holds nothing to read (silence, a blank page: see
            :func:`empty_reason`), or the model recognised nothing in it. Empty for a non-empty text.
    """

    text: str
    tokens: tuple[TokenTiming, ...]
    confidence: float
    unit: str
    source: str
    model: str
    extent: float = 0.0
    alternatives: tuple[tuple[str, float], ...] = ()
    warnings: tuple[str, ...] = ()

    @classmethod
    def from_tokens(
        cls, tokens: Sequence[TokenTiming], confidence: float, unit: str, source: Any, model: str, extent: float,
        alternatives: tuple[tuple[str, float], ...] = (), *, signal: bool = True,
    ) -> Transcript:
        """The transcript of character tokens (spaces collapsed as in :func:`collapse_spaces`).

        ``signal``: False when the input held nothing to read (no piece of it had signal); an empty text
        then says so in ``warnings``.
        """
        kept = collapse_spaces(tokens)
        text = "".join(t.text for t in kept)
        warnings = () if text else (empty_reason(unit, signal),)
        return cls(text, kept, confidence, unit, describe_source(source), model, extent, tuple(alternatives), warnings)

    @property
    def words(self) -> tuple[TokenTiming, ...]:
        """Tokens grouped into whitespace-separated words."""
        words, cur = [], []
        for t in self.tokens + (TokenTiming(" ", 0, 0, 1.0),):
            if t.text.isspace():
                if cur:
                    conf = min(c.confidence for c in cur)
                    words.append(TokenTiming("".join(c.text for c in cur), cur[0].start, cur[-1].end, conf))
                cur = []
            else:
                cur.append(t)
        return tuple(words)

    @property
    def segments(self) -> list:
        """The words grouped at pauses and at caption length (:func:`recog.segments.segment_words`)."""
        from .segments import segment_words

        return segment_words(self.words)

    def to_dict(self) -> dict:
        return {
            "source": self.source,
            "model": self.model,
            "text": self.text,
            "confidence": round(self.confidence, 4),
            "unit": self.unit,
            "extent": round(self.extent, 4),
            "segments": [g.to_dict() for g in self.segments],
            "words": [w.to_dict() for w in self.words],
            "tokens": [t.to_dict() for t in self.tokens],
            **({"alternatives": [{"text": t, "score": round(sc, 4)} for t, sc in self.alternatives]}
               if self.alternatives else {}),
            "warnings": list(self.warnings),
        }


def token_timings(hyp: CTCHypothesis, chars: Sequence[str], step: float, offset: float = 0.0) -> list[TokenTiming]:
    """Place a hypothesis's tokens in the input: output frame k covers ``offset + [k, k+1) * step``.

    ``step`` is the input distance of one output frame (time stride x frame step), ``chars`` the alphabet's
    characters (id 1 is ``chars[0]``).
    """
    return [
        TokenTiming(chars[tok - 1], offset + s * step, offset + (e + 1) * step, score)
        for tok, (s, e), score in zip(hyp.tokens, hyp.spans, hyp.token_scores)
    ]


def empty_reason(unit: str, signal: bool) -> str:
    """Why a transcript is empty: nothing in the input (``signal`` False), or nothing the model recognised."""
    if signal:
        return "the model recognised nothing in the input"
    return {"s": "no speech found: the input is silent or too faint to read",
            "px": "no ink found: the image is blank or holds only paper texture"}.get(unit, "nothing to read in the input")


class Stitcher:
    """Joins one input's pieces (windows of a long input, stretches cut at silences) into one transcript.

    The one stitching rule of both recognisers: a piece keeps the tokens whose centre lies in the
    span it owns; a piece that starts at or after the previous one's end was cut at a silence, so a
    word boundary (a space) goes between them; confidence is the average weighted by owned span.
    Add pieces in order.
    """

    def __init__(self, has_space: bool) -> None:
        self.has_space = has_space
        self.tokens: list[TokenTiming] = []
        self._weighted = 0.0
        self.extent = 0.0  # the owned spans so far (the input's length at the end)
        self._last_end = 0.0
        self.signal = False  # a piece had something to read

    def add(self, tokens: Sequence[TokenTiming], confidence: float, start: float, end: float,
            own: tuple[float, float], signal: bool = True) -> None:
        """A piece covering ``[start, end)`` of the input and owning ``own``, with its placed tokens
        (``signal``: False for a piece with nothing in it)."""
        lo, hi = own
        self.signal = self.signal or signal
        if self.tokens and start >= self._last_end and self.has_space:
            self.tokens.append(TokenTiming(" ", self._last_end, start, 1.0))
        self._last_end = end
        self.tokens.extend(t for t in tokens if lo <= (t.start + t.end) / 2 < hi)
        self._weighted += confidence * (hi - lo)
        self.extent += hi - lo

    def transcript(self, unit: str, source: Any, model: str) -> Transcript:
        """The joined transcript (a word cut by a window edge gets a space from each side: doubles collapse)."""
        confidence = self._weighted / self.extent if self.extent else 0.0
        return Transcript.from_tokens(self.tokens, confidence, unit, source, model, self.extent, signal=self.signal)


def collapse_spaces(tokens: Sequence[TokenTiming]) -> tuple[TokenTiming, ...]:
    """Drop spaces at the edges and doubled spaces (from window joins), keeping token timings aligned."""
    kept: list[TokenTiming] = []
    for t in tokens:
        if t.text == " " and (not kept or kept[-1].text == " "):
            continue
        kept.append(t)
    while kept and kept[-1].text == " ":
        kept.pop()
    return tuple(kept)


def describe_source(source: Any) -> str:
    """A path as given, or a short description of an in-memory input."""
    if isinstance(source, (str, os.PathLike)):
        return os.fspath(source)
    return InputError(source, "").source
