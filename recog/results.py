"""Typed results shared by the PyTorch recogniser and the torch-free ONNX runtime."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["TokenTiming", "Transcript"]


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
    """

    text: str
    tokens: tuple[TokenTiming, ...]
    confidence: float
    unit: str
    source: str
    model: str
    extent: float = 0.0

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

    def to_dict(self) -> dict:
        return {
            "source": self.source,
            "model": self.model,
            "text": self.text,
            "confidence": round(self.confidence, 4),
            "unit": self.unit,
            "extent": round(self.extent, 4),
            "words": [w.to_dict() for w in self.words],
            "tokens": [t.to_dict() for t in self.tokens],
        }
