"""Whole pages: a page image plus its lines (from PAGE/ALTO XML, or found by :mod:`recog_image.segment`) -> one
transcript per line, and the document written back.

    from recog_image.page import read_page, transcribe_page
    page = read_page("letter.jpg", lines="letter.xml")      # or read_page("letter.png") to segment
    result = transcribe_page(recog.load("handwriting"), page)
    for line, t in result: print(line.id, line.box, t.text)
    result.write("out.xml", format="alto")
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from recog.errors import DataError, InputError, RecogError

from .io import read_gray
from .layout import PageLayout, TextLine, crop_line, read_layout, write_layout
from .segment import SegmentConfig, segment_lines

__all__ = ["Page", "PageResult", "read_page", "transcribe_page", "page_items", "read_page_corpus"]

MAX_PAGE_PIXELS = 1 << 27  # a 600 dpi A3 scan is ~70 M pixels


@dataclass
class Page:
    """A page image (grayscale ``(H, W)`` uint8) and its layout."""

    pixels: np.ndarray
    layout: PageLayout

    def crops(self) -> list[np.ndarray]:
        """One ``(h, w)`` uint8 crop per line (:func:`recog_image.layout.crop_line`)."""
        return [crop_line(self.pixels, line) for line in self.layout.lines]


@dataclass
class PageResult:
    """Transcripts of a page's lines (a :class:`recog.Transcript` or, for a line that failed, its error)."""

    page: Page
    transcripts: list = field(default_factory=list)

    def __iter__(self) -> Iterator[tuple[TextLine, object]]:
        return iter(zip(self.page.layout.lines, self.transcripts))

    @property
    def text(self) -> str:
        """The page's text, one line per line (failed lines empty)."""
        return "\n".join(getattr(t, "text", "") for t in self.transcripts)

    def to_dicts(self) -> list[dict]:
        out = []
        for line, t in self:
            d = {"id": line.id, "region": line.region, "box": list(line.box)}
            if isinstance(t, RecogError):
                d["error"] = str(t)
            else:
                d.update(text=t.text, confidence=round(t.confidence, 4),
                         words=[{"text": w.text, "start": round(w.start, 1), "end": round(w.end, 1),
                                 "confidence": round(w.confidence, 4)} for w in t.words])
            out.append(d)
        return out

    def write(self, out: str | Path, *, format: str | None = None) -> Path:
        """Write the layout with the recognised text as PAGE or ALTO XML (default: the input's format, else PAGE)."""
        fmt = format or (self.page.layout.format if self.page.layout.format in ("page", "alto") else "page")
        done = [t if not isinstance(t, RecogError) else _Empty() for t in self.transcripts]
        return write_layout(self.page.layout, done, out, format=fmt)


class _Empty:
    text = ""
    confidence = 0.0
    words = ()


def _read_pixels(image: str | Path) -> np.ndarray:
    gray = read_gray(image, max_pixels=MAX_PAGE_PIXELS)  # (H, W) float, 1 = white
    return (np.clip(gray, 0, 1) * 255).round().astype(np.uint8)


def read_page(image: str | Path | None, lines: str | Path | None = None,
              segment: SegmentConfig = SegmentConfig()) -> Page:
    """A page from its image and, optionally, PAGE/ALTO XML with its lines.

    Args:
        image: the page image; None to take the one the XML names.
        lines: PAGE or ALTO XML; without it, lines are found by projection profiles (straight pages).

    Raises:
        InputError: the image or XML is missing or unreadable (naming the file).
        DataError: bad XML content (naming the file and line).
    """
    if lines is not None:
        layout = read_layout(lines, image)
        try:
            pixels = _read_pixels(layout.image)
        except InputError as e:
            raise DataError(f"{layout.source}: page image: {e}") from None
        h, w = pixels.shape
        for line in layout.lines:
            x0, y0, x1, y1 = line.box
            if x1 <= 0 or y1 <= 0 or x0 >= w or y0 >= h:
                raise DataError(f"{layout.source}: line {line.id}: polygon {line.box} lies outside the {w}x{h} image")
        return Page(pixels, layout)
    if image is None:
        raise DataError("read_page needs a page image or layout XML")
    pixels = _read_pixels(image)
    found = segment_lines(pixels, segment)
    h, w = pixels.shape
    return Page(pixels, PageLayout(Path(image), "segmented", Path(image), (w, h), found))


def transcribe_page(recognizer, page: Page, *, batch_size: int = 16) -> PageResult:
    """Transcribe every line of ``page``; a line that cannot be read gets its error, the others go on."""
    crops = page.crops()
    results = recognizer.transcribe_batch(crops, batch_size=batch_size, errors="return") if crops else []
    return PageResult(page, list(results))


def page_items(xml_files: list[str | Path]) -> list[tuple[np.ndarray, str, str]]:
    """Training/evaluation items of PAGE/ALTO files: ``(line crop, text, "file#line")`` for lines with text."""
    out = []
    for xml in xml_files:
        page = read_page(None, xml)
        for line, crop in zip(page.layout.lines, page.crops()):
            if line.text.strip():
                out.append((crop, line.text, f"{xml}#{line.id}"))
    return out


def read_page_corpus(path: Path) -> list:
    """Corpus reader of PAGE/ALTO XML (the ``register_corpus_readers`` hook): one utterance per transcribed line.

    Each utterance's input is the line crop; its group is the page (so dev splits hold out whole pages).
    """
    from recog.data import Utterance

    return [Utterance(crop, text, group=f"page:{Path(path).stem}", extra={"source": name})
            for crop, text, name in page_items([path])]
