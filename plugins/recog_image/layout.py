"""Page layouts: text lines of a page scan from PAGE XML or ALTO XML, cut out for recognition, and written back.

PAGE XML (PRImA, the format of Transkribus, eScriptorium, HTR-United) and ALTO XML (v2-v4, kraken,
libraries) both describe a page image as regions of text lines, each with a polygon, often a baseline and a
transcription. :func:`read_layout` reads either into a :class:`PageLayout`; :func:`crop_line` cuts one line out
of the page (bounding box of its polygon, pixels outside the polygon painted as paper, straightened when the
baseline slants); :func:`write_layout` writes the document back with recognised text and confidences.

Coordinates are page pixels, x to the right, y down. Errors name the XML file and the line id.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from recog.atomic import atomic_write
from recog.errors import CorruptInputError, DataError, InputNotFoundError

__all__ = ["TextLine", "PageLayout", "read_layout", "crop_line", "write_layout", "LAYOUT_SUFFIXES"]

LAYOUT_SUFFIXES = (".xml",)
_PAGE_NS = "http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15"
_MIN_SIDE = 2  # pixels: a line box thinner than this is degenerate
_DESKEW_MIN_DEG = 0.5  # baselines flatter than this are left alone
_DESKEW_MAX_DEG = 30.0  # steeper ones are left alone too (vertical text, or a bad baseline)

Point = tuple[float, float]


@dataclass(frozen=True)
class TextLine:
    """One text line of a page.

    Attributes:
        id: the line's id in the XML.
        polygon: its outline, (x, y) page pixels, at least 3 points.
        baseline: points of the baseline left to right, or () when the XML has none.
        text: the transcription in the XML ('' when it has none).
        region: id of the enclosing text region/block ('' when none).
    """

    id: str
    polygon: tuple[Point, ...]
    baseline: tuple[Point, ...] = ()
    text: str = ""
    region: str = ""

    @property
    def box(self) -> tuple[int, int, int, int]:
        """``(x0, y0, x1, y1)``: the polygon's bounding box in whole pixels, end exclusive."""
        xs = [p[0] for p in self.polygon]
        ys = [p[1] for p in self.polygon]
        return math.floor(min(xs)), math.floor(min(ys)), math.ceil(max(xs)) + 1, math.ceil(max(ys)) + 1

    @property
    def slant_degrees(self) -> float:
        """Angle of the baseline's least-squares line, degrees, positive when it rises to the right; 0 without one."""
        if len(self.baseline) < 2:
            return 0.0
        x = np.array([p[0] for p in self.baseline], dtype=np.float64)
        y = np.array([p[1] for p in self.baseline], dtype=np.float64)
        if np.ptp(x) < 1:
            return 0.0
        slope = np.polyfit(x, y, 1)[0]
        return float(-math.degrees(math.atan(slope)))  # image y grows downwards


@dataclass
class PageLayout:
    """The lines of one page image, in reading order as the XML lists them.

    Attributes:
        source: the XML file.
        format: ``"page"`` or ``"alto"``.
        image: the page image the XML names, resolved against the XML's folder.
        size: ``(width, height)`` the XML states, or None.
        lines: the text lines.
    """

    source: Path
    format: str
    image: Path
    size: tuple[int, int] | None
    lines: list[TextLine] = field(default_factory=list)
    _tree: ET.ElementTree | None = field(default=None, repr=False)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(el: ET.Element, name: str) -> list[ET.Element]:
    return [c for c in el if _local(c.tag) == name]


def _find(el: ET.Element, name: str) -> ET.Element | None:
    for c in el.iter():
        if _local(c.tag) == name:
            return c
    return None


def _points(text: str | None, where: str) -> tuple[Point, ...]:
    """PAGE ``"x,y x,y ..."`` or ALTO ``"x y x y ..."`` / ``"x,y x,y"`` -> points."""
    if not text or not text.strip():
        return ()
    nums = text.replace(",", " ").split()
    try:
        vals = [float(v) for v in nums]
    except ValueError:
        raise DataError(f"{where}: points are not numbers: {text[:60]!r}") from None
    if len(vals) % 2:
        raise DataError(f"{where}: an odd number of coordinates in {text[:60]!r}")
    return tuple((vals[i], vals[i + 1]) for i in range(0, len(vals), 2))


def _check_polygon(poly: tuple[Point, ...], where: str) -> tuple[Point, ...]:
    if len(poly) == 2:  # a box given by two corners
        (x0, y0), (x1, y1) = poly
        poly = ((x0, y0), (x1, y0), (x1, y1), (x0, y1))
    if len(poly) < 3:
        raise DataError(f"{where}: the line polygon needs at least 3 points, got {len(poly)}")
    xs, ys = [p[0] for p in poly], [p[1] for p in poly]
    if max(xs) - min(xs) < _MIN_SIDE or max(ys) - min(ys) < _MIN_SIDE:
        raise DataError(f"{where}: the line polygon is degenerate ({max(xs) - min(xs):.0f} x {max(ys) - min(ys):.0f} px)")
    return poly


def _parse(path: Path) -> ET.ElementTree:
    if not path.exists():
        raise InputNotFoundError(path, "no such file")
    if not path.is_file():
        raise InputNotFoundError(path, "not a regular file")
    try:
        return ET.parse(path)
    except ET.ParseError as e:
        raise CorruptInputError(path, f"not well-formed XML ({e})") from None
    except OSError as e:
        raise InputNotFoundError(path, e.strerror or str(e)) from None


def read_layout(path: str | Path, image: str | Path | None = None) -> PageLayout:
    """Read a PAGE XML or ALTO XML file.

    Args:
        path: the XML file.
        image: the page image; default: the file the XML names, next to the XML.

    Raises:
        InputNotFoundError / CorruptInputError: a missing or malformed file.
        DataError: not PAGE or ALTO, no image named, bad or degenerate polygons (naming file and line id).
    """
    path = Path(path)
    tree = _parse(path)
    root = tree.getroot()
    kind = _local(root.tag)
    if kind == "PcGts":
        layout = _read_page(path, root)
    elif kind == "alto":
        layout = _read_alto(path, root)
    else:
        raise DataError(f"{path}: neither PAGE XML (<PcGts>) nor ALTO XML (<alto>); the root is <{kind}>")
    layout._tree = tree
    if image is not None:
        layout.image = Path(image)
    return layout


def _read_page(path: Path, root: ET.Element) -> PageLayout:
    page = _find(root, "Page")
    if page is None:
        raise DataError(f"{path}: PAGE XML without a <Page> element")
    name = page.get("imageFilename")
    size = _size(page, "imageWidth", "imageHeight", path)
    if not name:
        raise DataError(f"{path}: <Page> names no imageFilename")
    layout = PageLayout(path, "page", path.parent / name, size)
    for region, line, lid, where in _text_lines(page, "TextRegion", "id", path, layout):
        coords = _children(line, "Coords")
        poly = _points(coords[0].get("points") if coords else None, where)
        base = _children(line, "Baseline")
        baseline = _points(base[0].get("points"), where) if base else ()
        if not poly and len(baseline) >= 2:  # baseline only: a band around it
            poly = _band(baseline)
        layout.lines.append(TextLine(lid, _check_polygon(poly, where), baseline, _page_text(line),
                                     region.get("id", "")))
    return layout


def _size(el: ET.Element, w: str, h: str, path: Path) -> tuple[int, int] | None:
    """The page size from two attributes, or None when the XML gives none."""
    if not (el.get(w) and el.get(h)):
        return None
    try:
        return int(float(el.get(w))), int(float(el.get(h)))
    except ValueError:
        raise DataError(f"{path}: page {w}/{h} are not numbers") from None


def _text_lines(root: ET.Element, block_tag: str, id_attr: str, path: Path, layout: PageLayout):
    """``(block, line element, line id, where)`` for every TextLine of every ``block_tag`` under ``root``."""
    for block in root.iter():
        if _local(block.tag) != block_tag:
            continue
        for line in _children(block, "TextLine"):
            lid = line.get(id_attr) or f"line{len(layout.lines) + 1}"
            yield block, line, lid, f"{path}: line {lid}"


def _band(baseline: tuple[Point, ...], above: float = 40.0, below: float = 12.0) -> tuple[Point, ...]:
    """A polygon around a baseline, for lines that only have one."""
    top = [(x, y - above) for x, y in baseline]
    bottom = [(x, y + below) for x, y in reversed(baseline)]
    return tuple(top + bottom)


def _page_text(line: ET.Element) -> str:
    for eq in _children(line, "TextEquiv"):
        uni = _children(eq, "Unicode")
        if uni and uni[0].text:
            return uni[0].text
    return ""


def _read_alto(path: Path, root: ET.Element) -> PageLayout:
    name_el = _find(root, "fileName")
    page = _find(root, "Page")
    size = _size(page, "WIDTH", "HEIGHT", path) if page is not None else None
    if name_el is None or not (name_el.text or "").strip():
        raise DataError(f"{path}: ALTO without sourceImageInformation/fileName")
    layout = PageLayout(path, "alto", path.parent / name_el.text.strip(), size)
    for block, line, lid, where in _text_lines(root, "TextBlock", "ID", path, layout):
        shape = _find(line, "Polygon")
        poly = _points(shape.get("POINTS"), where) if shape is not None else ()
        if not poly:
            try:
                x, y = float(line.get("HPOS")), float(line.get("VPOS"))
                w, h = float(line.get("WIDTH")), float(line.get("HEIGHT"))
            except (TypeError, ValueError):
                raise DataError(f"{where}: no Polygon and no HPOS/VPOS/WIDTH/HEIGHT") from None
            poly = ((x, y), (x + w, y), (x + w, y + h), (x, y + h))
        baseline = _alto_baseline(line.get("BASELINE"), poly, where)
        words = [s.get("CONTENT", "") for s in _children(line, "String")]
        layout.lines.append(TextLine(lid, _check_polygon(poly, where), baseline, " ".join(w for w in words if w),
                                     block.get("ID", "")))
    return layout


def _alto_baseline(value: str | None, poly: tuple[Point, ...], where: str) -> tuple[Point, ...]:
    """ALTO 4.2+ gives baseline points; earlier versions a single y (a level baseline)."""
    if not value:
        return ()
    pts = _points(value, where) if ("," in value or len(value.split()) > 1) else ()
    if pts:
        return pts
    try:
        y = float(value)
    except ValueError:
        raise DataError(f"{where}: BASELINE {value!r} is neither points nor a number") from None
    xs = [p[0] for p in poly]
    return ((min(xs), y), (max(xs), y))


def crop_line(page: np.ndarray, line: TextLine, *, deskew: bool = True) -> np.ndarray:
    """Cut ``line`` out of a grayscale page ``(H, W)`` uint8: ``(h, w)`` uint8.

    Pixels outside the polygon become the paper's grey (the 90th percentile inside it), so neighbouring lines
    do not leak in; a slanted baseline (0.5-30 degrees) is rotated level.

    Raises:
        DataError: the line lies outside the page.
    """
    height, width = page.shape
    x0, y0, x1, y1 = line.box
    cx0, cy0, cx1, cy1 = max(x0, 0), max(y0, 0), min(x1, width), min(y1, height)
    if cx1 - cx0 < _MIN_SIDE or cy1 - cy0 < _MIN_SIDE:
        raise DataError(f"line {line.id}: its box {line.box} lies outside the {width}x{height} page")
    crop = page[cy0:cy1, cx0:cx1]
    mask_img = Image.new("L", (cx1 - cx0, cy1 - cy0), 0)
    ImageDraw.Draw(mask_img).polygon([(x - cx0, y - cy0) for x, y in line.polygon], fill=255)
    mask = np.asarray(mask_img) > 0
    inside = crop[mask]
    paper = int(np.percentile(inside, 90)) if inside.size else 255
    out = np.where(mask, crop, paper).astype(np.uint8)
    angle = line.slant_degrees
    if deskew and _DESKEW_MIN_DEG <= abs(angle) <= _DESKEW_MAX_DEG:
        rotated = Image.fromarray(out).rotate(-angle, resample=Image.BILINEAR, expand=True, fillcolor=paper)
        out = np.asarray(rotated)
    return out


def write_layout(layout: PageLayout, results: Sequence, out: str | Path, *, format: str | None = None) -> Path:
    """Write ``layout`` with recognised text to ``out`` as PAGE or ALTO XML (default: the layout's own format).

    Args:
        results: one :class:`recog.Transcript` per line of ``layout.lines`` (their word positions are pixels of
            the line crop and are mapped back to the page for ALTO).
        format: ``"page"`` or ``"alto"``.

    The source document is kept and its text replaced when writing its own format; otherwise a fresh
    document with the same lines is written. Returns the path written.
    """
    fmt = format or layout.format
    if fmt not in ("page", "alto"):
        raise DataError(f"unknown layout format {fmt!r} (page, alto)")
    if len(results) != len(layout.lines):
        raise DataError(f"{len(results)} results for {len(layout.lines)} lines")
    out = Path(out)
    if fmt == layout.format and layout._tree is not None:
        tree = layout._tree
        (_fill_page if fmt == "page" else _fill_alto)(tree.getroot(), layout, results)
    else:
        tree = _fresh_page(layout, results) if fmt == "page" else _fresh_alto(layout, results)
    ET.indent(tree)
    return atomic_write(out, lambda tmp: tree.write(tmp, encoding="utf-8", xml_declaration=True))


def _ns(el: ET.Element) -> str:
    return el.tag[: el.tag.index("}") + 1] if el.tag.startswith("{") else ""


def _filled(root: ET.Element, layout: PageLayout, results: Sequence, key: str, drop: tuple[str, ...]):
    """``(line element, its namespace, layout line, result)`` for each line found by id, its old text removed."""
    by_id = {el.get(key): el for el in root.iter() if _local(el.tag) == "TextLine" and el.get(key)}
    for line, r in zip(layout.lines, results):
        el = by_id.get(line.id)
        if el is None:
            continue
        for old in [c for c in el if _local(c.tag) in drop]:
            el.remove(old)
        yield el, _ns(el), line, r


def _fill_page(root: ET.Element, layout: PageLayout, results: Sequence) -> None:
    for el, ns, _line, r in _filled(root, layout, results, "id", ("TextEquiv",)):
        eq = ET.SubElement(el, f"{ns}TextEquiv", {"conf": f"{r.confidence:.4f}"})
        ET.SubElement(eq, f"{ns}Unicode").text = r.text


def _word_boxes(line: TextLine, r) -> list[tuple[str, float, tuple[int, int, int, int]]]:
    """(word, confidence, (x, y, w, h) on the page) from the transcript's pixel positions within the crop."""
    x0, y0, x1, y1 = line.box
    out = []
    for w in r.words:
        left = x0 + max(0.0, w.start)
        right = x0 + min(float(x1 - x0), max(w.end, w.start + 1))
        out.append((w.text, w.confidence, (int(left), y0, max(1, int(right - left)), y1 - y0)))
    return out


def _fill_alto(root: ET.Element, layout: PageLayout, results: Sequence) -> None:
    for el, ns, line, r in _filled(root, layout, results, "ID", ("String", "SP", "HYP")):
        _alto_strings(el, ns, line, r)


def _alto_strings(el: ET.Element, ns: str, line: TextLine, r) -> None:
    for k, (word, conf, (x, y, w, h)) in enumerate(_word_boxes(line, r)):
        if k:
            ET.SubElement(el, f"{ns}SP")
        ET.SubElement(el, f"{ns}String", {"CONTENT": word, "WC": f"{conf:.4f}", "HPOS": str(x), "VPOS": str(y),
                                          "WIDTH": str(w), "HEIGHT": str(h)})


def _pts(points: Sequence[Point]) -> str:
    return " ".join(f"{round(x)},{round(y)}" for x, y in points)


def _fresh_page(layout: PageLayout, results: Sequence) -> ET.ElementTree:
    ns = "{" + _PAGE_NS + "}"
    ET.register_namespace("", _PAGE_NS)
    root = ET.Element(f"{ns}PcGts")
    attrs = {"imageFilename": layout.image.name}
    if layout.size:
        attrs.update(imageWidth=str(layout.size[0]), imageHeight=str(layout.size[1]))
    page = ET.SubElement(root, f"{ns}Page", attrs)
    regions: dict[str, ET.Element] = {}
    for line, r in zip(layout.lines, results):
        rid = line.region or "r1"
        if rid not in regions:
            regions[rid] = ET.SubElement(page, f"{ns}TextRegion", {"id": rid})
        el = ET.SubElement(regions[rid], f"{ns}TextLine", {"id": line.id})
        ET.SubElement(el, f"{ns}Coords", {"points": _pts(line.polygon)})
        if line.baseline:
            ET.SubElement(el, f"{ns}Baseline", {"points": _pts(line.baseline)})
        eq = ET.SubElement(el, f"{ns}TextEquiv", {"conf": f"{r.confidence:.4f}"})
        ET.SubElement(eq, f"{ns}Unicode").text = r.text
    return ET.ElementTree(root)


_ALTO_NS = "http://www.loc.gov/standards/alto/ns-v4#"


def _fresh_alto(layout: PageLayout, results: Sequence) -> ET.ElementTree:
    ns = "{" + _ALTO_NS + "}"
    ET.register_namespace("", _ALTO_NS)
    root = ET.Element(f"{ns}alto")
    desc = ET.SubElement(root, f"{ns}Description")
    ET.SubElement(desc, f"{ns}MeasurementUnit").text = "pixel"
    src = ET.SubElement(desc, f"{ns}sourceImageInformation")
    ET.SubElement(src, f"{ns}fileName").text = layout.image.name
    lay = ET.SubElement(root, f"{ns}Layout")
    attrs = {"ID": "page1", "PHYSICAL_IMG_NR": "1"}
    if layout.size:
        attrs.update(WIDTH=str(layout.size[0]), HEIGHT=str(layout.size[1]))
    space = ET.SubElement(ET.SubElement(lay, f"{ns}Page", attrs), f"{ns}PrintSpace")
    blocks: dict[str, ET.Element] = {}
    for line, r in zip(layout.lines, results):
        bid = line.region or "b1"
        if bid not in blocks:
            blocks[bid] = ET.SubElement(space, f"{ns}TextBlock", {"ID": bid})
        x0, y0, x1, y1 = line.box
        attrs = {"ID": line.id, "HPOS": str(x0), "VPOS": str(y0), "WIDTH": str(x1 - x0), "HEIGHT": str(y1 - y0)}
        if line.baseline:
            attrs["BASELINE"] = _pts(line.baseline)
        el = ET.SubElement(blocks[bid], f"{ns}TextLine", attrs)
        ET.SubElement(ET.SubElement(el, f"{ns}Shape"), f"{ns}Polygon", {"POINTS": _pts(line.polygon)})
        _alto_strings(el, ns, line, r)
    return ET.ElementTree(root)
