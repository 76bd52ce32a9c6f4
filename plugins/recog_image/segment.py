"""Text-line segmentation of a page without layout XML: horizontal projection profiles, for straight pages.

Ink rows are counted per page row; runs of rows with ink, separated by quieter valleys, are lines. Each line's
box spans its ink columns, and grows into half of the gap above and below (ascenders and descenders), so the
crops hand :mod:`recog_image.frontend` whole lines. Skewed or multi-column pages need a layout from a real
analysis tool (PAGE/ALTO XML, :mod:`recog_image.layout`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from recog.errors import SeveralRegionsError

from .layout import TextLine

__all__ = ["SegmentConfig", "segment_lines", "ink_mask", "count_text_lines", "refuse_pages", "PAGE_LINES"]

PAGE_LINES = 3  # an image with this many substantial text lines is a page, not a line (see count_text_lines)


@dataclass(frozen=True)
class SegmentConfig:
    """Settings of :func:`segment_lines`."""

    row_fraction: float = 0.15  # a row is in a line when its ink count exceeds this share of a typical line row
    min_height: int = 6  # pixels: thinner runs are specks, not lines
    merge_gap: float = 0.25  # runs closer than this fraction of the median line height merge (dots, accents)
    margin: float = 0.5  # share of the gap to each neighbour that a line's box grows into
    min_ink_columns: int = 3  # a line needs at least this many columns with ink
    smooth_rows: int = 5  # rows of the moving average over the row profile (bridges thin gaps inside a line)


def ink_mask(page: np.ndarray) -> np.ndarray:
    """``(H, W)`` uint8 grayscale -> ``(H, W)`` bool, True at ink (dark on light or light on dark, Otsu's threshold)."""
    hist = np.bincount(page.ravel(), minlength=256).astype(np.float64)
    total = hist.sum()
    levels = np.arange(256)
    w0 = np.cumsum(hist)
    m0 = np.cumsum(hist * levels)
    w1 = total - w0
    mean_all = m0[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (mean_all * w0 / total - m0) ** 2 / (w0 * w1)
    t = int(np.nanargmax(between)) if np.isfinite(between).any() else 127
    dark = page <= t
    return dark if dark.mean() <= 0.5 else ~dark  # ink is the minority


def _runs(on: np.ndarray) -> list[tuple[int, int]]:
    """Half-open [start, end) runs of True in a 1-D bool array."""
    d = np.diff(np.concatenate([[0], on.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(d == 1).tolist(), np.flatnonzero(d == -1).tolist()))


def segment_lines(page: np.ndarray, config: SegmentConfig = SegmentConfig()) -> list[TextLine]:
    """Lines of a grayscale page ``(H, W)`` uint8, top to bottom, as rectangles: ids ``l1``, ``l2`` ...

    Returns [] for a page without ink.
    """
    ink = ink_mask(page)
    height, width = ink.shape
    rows = ink.sum(axis=1).astype(np.float64)  # (H,)
    if rows.max(initial=0) < config.min_ink_columns:
        return []
    if config.smooth_rows > 1:
        rows = np.convolve(rows, np.ones(config.smooth_rows) / config.smooth_rows, mode="same")
    typical = np.percentile(rows[rows > 0], 75)
    runs = [r for r in _runs(rows > config.row_fraction * typical)]
    if not runs:
        return []
    med = float(np.median([e - s for s, e in runs]))
    merged: list[list[int]] = []
    for s, e in runs:
        if merged and s - merged[-1][1] < config.merge_gap * med:
            merged[-1][1] = e
        else:
            merged.append([s, e])
    tall = [(s, e) for s, e in merged if e - s >= config.min_height]
    lines = []
    for k, (s, e) in enumerate(tall):
        above = tall[k - 1][1] if k else 0
        below = tall[k + 1][0] if k + 1 < len(tall) else height
        y0 = max(0, int(s - config.margin * (s - above)))
        y1 = min(height, int(e + config.margin * (below - e)))
        cols = np.flatnonzero(ink[s:e].any(axis=0))
        if cols.size < config.min_ink_columns:
            continue
        pad = max(2, (e - s) // 4)
        x0, x1 = max(0, int(cols[0]) - pad), min(width, int(cols[-1]) + 1 + pad)
        poly = ((x0, y0), (x1 - 1, y0), (x1 - 1, y1 - 1), (x0, y1 - 1))
        lines.append(TextLine(f"l{len(lines) + 1}", tuple((float(x), float(y)) for x, y in poly)))
    return lines


def count_text_lines(gray) -> int:
    """Substantial text lines in an image: found lines with at least a quarter of the inkiest one's ink and half
    its height (fragments of neighbouring lines in a line crop do not count).

    ``gray`` is ``(H, W)`` uint8, or floats in [0, 1] (1 = white). Single-line crops of Hooker's letters often
    count 2 (loops, neighbours' descenders), which is why :data:`PAGE_LINES` is 3; tests/test_layout.py checks
    that no DHSD word or Hooker line reaches it.
    """
    page = np.asarray(gray)
    if page.dtype != np.uint8:
        page = (np.clip(page, 0.0, 1.0) * 255).round().astype(np.uint8)
    if min(page.shape) < 2 * SegmentConfig.min_height:
        return 1
    lines = segment_lines(page)
    if len(lines) < 2:
        return len(lines)
    ink = ink_mask(page)
    heights = [ln.box[3] - ln.box[1] for ln in lines]
    inks = [int(ink[ln.box[1]:ln.box[3], ln.box[0]:ln.box[2]].sum()) for ln in lines]
    return sum(1 for h, k in zip(heights, inks) if k >= 0.25 * max(inks) and h >= 0.5 * max(heights))


def refuse_pages(gray, source) -> None:
    """Raise :class:`recog.errors.SeveralRegionsError` naming ``source`` when ``gray`` ``(H, W)`` holds a page, not a line."""
    n = count_text_lines(gray)
    if n >= PAGE_LINES:
        raise SeveralRegionsError(source, f"holds {n} text lines, and this model reads one line at a time: read it "
                                          "as a page (`recog transcribe` does; recog.transcribe_document)")
