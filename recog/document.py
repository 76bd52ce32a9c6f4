"""Documents: inputs that hold several regions a model reads one at a time (a page scan's text lines).

A line model reads one line; a page holds many. A plugin that knows its input's layout registers a document
reader (the ``register_document_readers`` hook): ``read(source, layout)`` returns a :class:`Document` whose
regions are the pieces to read, each with its position in the input. The core reads them with any recogniser
and returns one :class:`DocumentResult`; the plugin's :meth:`Document.write` writes it in the layout's own formats
(PAGE or ALTO XML for the image plugin).

    doc = recog.read_document("letter.jpg", layout="letter.xml")     # or read_document("scan.png"): lines found
    result = recog.transcribe_document("letter.jpg", layout="letter.xml")
    for region, t in result: print(region.id, region.box, t.text)
    result.write("letter.out.xml", format="alto")

A recogniser refuses an input that holds several regions with :class:`recog.errors.SeveralRegionsError`
(never reads a page as one garbled line); ``recog transcribe`` then reads it as a document.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError, RecogError, UnsupportedFormatError
from .results import Transcript

__all__ = ["Region", "Document", "DocumentResult", "read_document", "transcribe_regions", "document_formats"]


@dataclass(frozen=True)
class Region:
    """One piece of a document that a model reads on its own.

    Attributes:
        id: the region's id (the layout's own, e.g. a PAGE ``TextLine/@id``, or ``l1``, ``l2`` ... when found).
        box: where it lies in the input, ``(x0, y0, x1, y1)`` in the input's unit (pixels of a page).
        input: what the recogniser reads: an in-memory crop (``(h, w)`` uint8 for a line image) or a path.
        group: the enclosing block's id (a PAGE ``TextRegion``), or "".
    """

    id: str
    box: tuple[float, ...]
    input: Any = field(repr=False)
    group: str = ""


class Document:
    """An input split into regions. Plugins subclass it (the image plugin's ``recog_image.page.Page``).

    Attributes:
        source: the input (and layout file) it came from, for messages.
        regions: the regions in reading order.
        formats: document formats :meth:`write` writes besides text and JSON (``("page", "alto")``).
    """

    formats: tuple[str, ...] = ()
    frontend: str = ""  # the frontend whose reader made it (set by read_document)

    def __init__(self, source: str, regions: Sequence[Region]) -> None:
        self.source = source
        self.regions = list(regions)

    @property
    def default_format(self) -> str | None:
        """The format :meth:`DocumentResult.write` writes when none is given (the layout's own)."""
        return self.formats[0] if self.formats else None

    def write(self, transcripts: Sequence[Transcript | None], out: str | os.PathLike, format: str) -> Path:
        """Write the document with one transcript per region (None for a region that failed) to ``out``.

        Raises:
            ConfigError: ``format`` is not one of :attr:`formats`.
        """
        raise ConfigError(f"{self.source}: cannot write a {format!r} document (this input's formats: "
                          f"{', '.join(self.formats) or 'none'})")


@dataclass
class DocumentResult:
    """A document's transcripts: one :class:`recog.Transcript` per region, or the error of a region that failed.

    Attributes:
        document: the document read.
        transcripts: one per region of ``document.regions``.
        model: the model's name.
    """

    document: Document
    transcripts: list[Transcript | RecogError]
    model: str = ""

    def __iter__(self) -> Iterator[tuple[Region, Transcript | RecogError]]:
        return iter(zip(self.document.regions, self.transcripts))

    @property
    def source(self) -> str:
        return self.document.source

    @property
    def text(self) -> str:
        """The document's text, one line per region (a failed region's line is empty)."""
        return "\n".join(t.text if isinstance(t, Transcript) else "" for t in self.transcripts)

    @property
    def errors(self) -> list[tuple[Region, RecogError]]:
        """The regions that could not be read, with their errors."""
        return [(r, t) for r, t in self if isinstance(t, RecogError)]

    @property
    def warnings(self) -> tuple[str, ...]:
        """Why the document has no text: no regions found."""
        return () if self.document.regions else ("no text lines found",)

    def to_dict(self) -> dict:
        regions = []
        for region, t in self:
            d = {"id": region.id, "group": region.group, "box": [round(v, 1) for v in region.box]}
            if isinstance(t, RecogError):
                d["error"] = str(t)
            else:
                d.update(text=t.text, confidence=round(t.confidence, 4), unit=t.unit,
                         words=[w.to_dict() for w in t.words], warnings=list(t.warnings))
            regions.append(d)
        return {"source": self.source, "model": self.model, "text": self.text, "regions": regions,
                "warnings": list(self.warnings)}

    def write(self, out: str | os.PathLike, *, format: str | None = None) -> Path:
        """Write the document in one of its own formats (:attr:`Document.formats`; default the layout's own, e.g.
        PAGE for PAGE XML or a page found without XML); returns the path. Failed regions are written empty."""
        fmt = format or self.document.default_format
        if fmt is None:
            raise ConfigError(f"{self.source}: this document has no file format to write (text or JSON only)")
        return self.document.write([t if isinstance(t, Transcript) else None for t in self.transcripts], out, fmt)


def document_formats() -> tuple[str, ...]:
    """Every document format an installed plugin writes (``page``, ``alto`` ...)."""
    from .plugins import get_host

    return tuple(sorted({f for _, formats, _ in get_host().document_readers().values() for f in formats}))


def read_document(source: Any, layout: str | os.PathLike | None = None, *, frontend: str | None = None) -> Document:
    """The document ``source`` holds, read by the document reader of its frontend.

    Args:
        source: the input (a page image path); None to take the one ``layout`` names.
        layout: a file with the regions (PAGE or ALTO XML); None to find them in the input.
        frontend: whose reader to use (default: the frontend that reads ``source``, or the one that claims
            ``layout``'s suffix).

    Raises:
        UnsupportedFormatError: no installed plugin reads this kind of input as a document.
        RecogError: the plugin's errors for bad input (naming the file and region).
    """
    from .plugins import get_host

    if source is None and layout is None:
        raise ConfigError("read_document needs an input, a layout file that names it, or both")
    readers = get_host().document_readers()
    if frontend is None:
        frontend = _frontend_of(source, layout, readers)
    if frontend not in readers:
        raise UnsupportedFormatError(source if source is not None else layout,
                                     f"no installed plugin reads {frontend or 'this kind of'} input as a document "
                                     f"(document readers: {', '.join(sorted(readers)) or 'none'})")
    doc = readers[frontend][0](source, layout)
    doc.frontend = frontend
    return doc


def _frontend_of(source: Any, layout: Any, readers: dict) -> str | None:
    """Whose document reader takes the input: the frontend that reads ``source``; with no source, the reader that
    claims ``layout``'s suffix."""
    from .api import best_frontend
    from .plugins import get_host

    if source is None:
        suffix = Path(layout).suffix.lower() if isinstance(layout, (str, os.PathLike)) else ""
        return next((name for name, (_, _, suffixes) in readers.items() if suffix in suffixes), None)
    return best_frontend(source, get_host().frontends())


def transcribe_regions(recognizer, document: Document, *, batch_size: int = 16) -> DocumentResult:
    """Read every region of ``document`` with ``recognizer``; a region that cannot be read gets its error."""
    inputs = [r.input for r in document.regions]
    out = recognizer.transcribe_batch(inputs, batch_size=batch_size, errors="return") if inputs else []
    return DocumentResult(document, list(out), getattr(recognizer, "name", ""))
