"""Segments: a transcript's words grouped into caption-sized pieces, and subtitle formats (SRT, WebVTT, TSV).

A new segment starts at a pause (a gap of at least ``max_gap`` between words) or when the next word would make
the segment longer than ``max_chars`` characters or ``max_duration`` units. Positions are in the transcript's
unit (seconds for audio; subtitles only make sense there).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .results import TokenTiming

__all__ = ["Segment", "SegmentRules", "segment_words", "to_srt", "to_vtt", "to_tsv", "SUBTITLE_FORMATS"]

SUBTITLE_FORMATS = ("srt", "vtt", "tsv")


@dataclass(frozen=True)
class SegmentRules:
    """Where segments break."""

    max_gap: float = 0.6  # a pause this long (seconds) ends a segment
    max_chars: int = 84  # characters per segment: two subtitle lines of 42
    max_duration: float = 7.0  # seconds a segment may span


@dataclass(frozen=True)
class Segment:
    """Consecutive words: ``text`` (words joined by spaces), ``start``/``end`` and the lowest word confidence."""

    start: float
    end: float
    text: str
    words: tuple[TokenTiming, ...]
    confidence: float

    def to_dict(self) -> dict:
        return {"start": round(self.start, 3), "end": round(self.end, 3), "text": self.text,
                "confidence": round(self.confidence, 4)}


def segment_words(words: Sequence[TokenTiming], rules: SegmentRules = SegmentRules()) -> list[Segment]:
    """Group ``words`` (in order) into :class:`Segment` s by ``rules``."""
    out: list[Segment] = []
    cur: list[TokenTiming] = []

    def close() -> None:
        if cur:
            out.append(Segment(cur[0].start, cur[-1].end, " ".join(w.text for w in cur), tuple(cur),
                               min(w.confidence for w in cur)))
            cur.clear()

    for w in words:
        if cur:
            gap = w.start - cur[-1].end
            chars = sum(len(x.text) + 1 for x in cur) + len(w.text)
            if gap >= rules.max_gap or chars > rules.max_chars or w.end - cur[0].start > rules.max_duration:
                close()
        cur.append(w)
    close()
    return out


def _clock(seconds: float, sep: str) -> str:
    ms = max(0, round(seconds * 1000))
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def _lines(text: str, width: int = 42) -> str:
    """Break a caption into lines of at most ``width`` characters at spaces (a longer word keeps its line)."""
    lines, cur = [], ""
    for word in text.split():
        if cur and len(cur) + 1 + len(word) > width:
            lines.append(cur)
            cur = word
        else:
            cur = f"{cur} {word}" if cur else word
    if cur:
        lines.append(cur)
    return "\n".join(lines)


def to_srt(segments: Sequence[Segment]) -> str:
    """SubRip: numbered cues, ``HH:MM:SS,mmm --> HH:MM:SS,mmm``, a blank line after each."""
    return "".join(f"{k}\n{_clock(s.start, ',')} --> {_clock(s.end, ',')}\n{_lines(s.text)}\n\n"
                   for k, s in enumerate(segments, 1))


def to_vtt(segments: Sequence[Segment]) -> str:
    """WebVTT: a ``WEBVTT`` header, then cues ``HH:MM:SS.mmm --> HH:MM:SS.mmm``."""
    return "WEBVTT\n\n" + "".join(f"{_clock(s.start, '.')} --> {_clock(s.end, '.')}\n{_lines(s.text)}\n\n"
                                  for s in segments)


def to_tsv(segments: Sequence[Segment]) -> str:
    """Tab-separated ``start``, ``end`` (integer milliseconds) and ``text``, with a header (whisper's TSV)."""
    rows = "".join(f"{round(s.start * 1000)}\t{round(s.end * 1000)}\t{s.text}\n" for s in segments)
    return "start\tend\ttext\n" + rows
