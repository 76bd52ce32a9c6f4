"""Whole pages: a page image plus its lines (from PAGE/ALTO XML, or found by :mod:`recog_image.segment`), the
image plugin's :class:`recog.document.Document` (its document reader), written back as PAGE or ALTO XML.

    result = recog.transcribe_document("letter.jpg", layout="letter.xml")   # or ("scan.png"): lines found
    for line, t in result: print(line.id, line.box, t.text)
    result.write("out.xml", format="alto")
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from recog.document import Document, Region
from recog.errors import DataError, InputError
from recog.results import describe_source

from .io import read_gray
from .layout import PageLayout, crop_line, read_layout, write_layout
from .segment import SegmentConfig, segment_lines

__all__ = ["Page", "read_page", "page_items", "read_page_corpus"]

MAX_PAGE_PIXELS = 1 << 27  # a 600 dpi A3 scan is ~70 M pixels


class Page(Document):
    """A page image and its layout: a :class:`recog.document.Document` whose regions are the line crops.

    Attributes:
        pixels: the page, grayscale ``(H, W)`` uint8.
        layout: its lines (from PAGE/ALTO XML, or found by :func:`recog_image.segment.segment_lines`).
    """

    formats = ("page", "alto")

    def __init__(self, pixels: np.ndarray, layout: PageLayout) -> None:
        self.pixels = pixels
        self.layout = layout
        regions = [Region(line.id, tuple(line.box), crop_line(pixels, line), line.region) for line in layout.lines]
        super().__init__(str(layout.source), regions)

    @property
    def default_format(self) -> str:
        """The layout's own format (a segmented page: PAGE)."""
        return self.layout.format if self.layout.format in self.formats else "page"

    def crops(self) -> list[np.ndarray]:
        """One ``(h, w)`` uint8 crop per line (:func:`recog_image.layout.crop_line`)."""
        return [r.input for r in self.regions]

    def write(self, transcripts: Sequence, out: str | Path, format: str) -> Path:
        """Write the layout with the recognised text as PAGE or ALTO XML (:func:`recog_image.layout.write_layout`);
        a line without a transcript (None) is written empty."""
        if format not in self.formats:
            return super().write(transcripts, out, format)
        return write_layout(self.layout, [_Empty() if t is None else t for t in transcripts], out, format=format)


class _Empty:
    text = ""
    confidence = 0.0
    words = ()


def _read_pixels(image: str | Path) -> np.ndarray:
    gray = read_gray(image, max_pixels=MAX_PAGE_PIXELS)  # (H, W) float, 1 = white
    return (np.clip(gray, 0, 1) * 255).round().astype(np.uint8)


def read_page(image: str | Path | bytes | np.ndarray | None, lines: str | Path | None = None,
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
    name = Path(image) if isinstance(image, (str, os.PathLike)) else Path(describe_source(image))  # bytes, arrays
    return Page(pixels, PageLayout(name, "segmented", name, (w, h), found))


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
