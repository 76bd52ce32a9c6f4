"""The torch-free reader of line-image exports (ONNX runtime): Pillow + NumPy, the image frontend's geometry.

Images are read by :mod:`recog_image.io` and cropped and scaled here: the PyTorch frontend reads, crops
and scales with the same code, so both paths accept and refuse the same inputs (pages included) and give
the same feature maps.

H height, W width in pixels. An image becomes the feature map ``(1, line_height, W')`` the
``image`` frontend would give: grayscale intensity (EXIF orientation applied, alpha composited on
white) -> ink map (1 = ink, 0 = background, polarity detected from the median as the frontend
does, a pure-white polygon fill given the paper's level, contrast stretched) -> a slanted or curved
line levelled (:func:`straighten`) -> cropped to the ink's box with a margin -> scaled to ``line_height``
rows with antialiased bilinear interpolation (Pillow's ``BILINEAR`` on float images, the filter
torch's ``interpolate(..., antialias=True)`` was ported from) -> clamped to [0, 1].

The image frontend offers no feature module (its crop and polarity depend on the pixel values),
so image exports take features, computed here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from PIL import Image

from recog.errors import ModelMismatchError
from recog.pieces import Piece

from .io import read_gray, to_ink
from .segment import refuse_pages

if TYPE_CHECKING:  # pragma: no cover
    from recog.runtime.model_info import OnnxModelInfo

__all__ = ["ImageReader", "ink_box", "straighten", "resize_to_height", "line_features"]


# --- geometry ----------------------------------------------------------------------------------------


def ink_box(ink: np.ndarray, *, threshold: float = 0.25, margin: float = 0.1) -> tuple[int, int, int, int]:
    """``(y0, y1, x0, x1)`` around the ink, widened by ``margin`` times its height; the whole image if none."""
    h, w = ink.shape
    mask = ink > threshold  # (H, W)
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if rows.size == 0 or cols.size == 0:
        return 0, h, 0, w
    y0, y1, x0, x1 = int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1
    pad = max(1, round(margin * (y1 - y0)))
    return max(0, y0 - pad), min(h, y1 + pad), max(0, x0 - pad), min(w, x1 + pad)


def straighten(
    ink: np.ndarray, *, threshold: float = 0.25, smooth: float = 1.0, min_span: float = 6.0, min_climb: float = 0.5
) -> np.ndarray:
    """``ink`` ``(H, W)`` with each column shifted up or down so the line's centre is level: ``(H', W)``, H' >= H.

    A slanted or curved line (a skewed scan, a line that climbs across the page, a crop along a
    slanted polygon) fills the height of its crop with a thin diagonal band, and scaling that to the
    line height shrank its letters to a few pixels. The centre of each column is the mean row of its ink
    (pixels above ``threshold``; columns without ink take the neighbours' by interpolation), smoothed by a
    Gaussian of ``smooth`` times H along W (letters' ascenders and descenders average out); each column
    moves, with linear interpolation, by its centre's distance from the mean centre, into a zero
    (background) canvas tall enough for the largest shift. Columns keep their x, so positions along the
    line map back to the input unchanged.

    Only a line that slants is levelled: ink spanning at least ``min_span`` times H columns whose centres,
    fitted with a straight line, climb by at least ``min_climb`` times the ink's height (the median height
    of its columns) from one end to the other. Otherwise the input is returned as it is: over a word or two,
    or along a level line, the centre follows the letters (a capital, a descender), and levelling it bends
    the words (on DHSD's single words it cost 0.8 points of CER; on rendered lines, which are level, 0.2).
    """
    h, w = ink.shape
    mask = ink > threshold  # (H, W)
    mass = mask.sum(axis=0)  # (W,) ink pixels per column
    cols = np.flatnonzero(mass)
    if cols.size < 2 or cols[-1] - cols[0] + 1 < min_span * h:
        return ink
    rows = np.arange(h, dtype=np.float64)
    centre = (mask * rows[:, None]).sum(axis=0)[cols] / mass[cols]  # (N,)
    first, last = mask[:, cols].argmax(axis=0), h - 1 - mask[::-1, cols].argmax(axis=0)  # (N,) each column's ink rows
    slope = np.polyfit(cols.astype(np.float64), centre, 1)[0]
    if abs(slope) * (cols[-1] - cols[0]) < min_climb * float(np.median(last - first + 1)):
        return ink
    centre = np.interp(np.arange(w), cols, centre)  # (W,)
    sigma = max(1.0, smooth * h)
    r = min(int(3 * sigma), 4 * w)
    kernel = np.exp(-0.5 * (np.arange(-r, r + 1) / sigma) ** 2)
    centre = np.convolve(np.pad(centre, r, mode="edge"), kernel / kernel.sum(), mode="valid")  # (W,)
    shift = centre.mean() - centre  # (W,) rows each column moves down
    if np.abs(shift).max() < 1.0:
        return ink
    pad = int(np.ceil(np.abs(shift).max())) + 1
    src = np.pad(ink, ((pad, pad), (0, 0)))  # (H + 2 pad, W), background around
    y = np.arange(h + 2 * pad, dtype=np.float64)[:, None] - shift[None, :]  # source row of each output pixel
    y0 = np.floor(y).astype(np.int64)
    frac = (y - y0).astype(np.float32)
    x = np.arange(w)[None, :]
    top, bottom = src[np.clip(y0, 0, h + 2 * pad - 1), x], src[np.clip(y0 + 1, 0, h + 2 * pad - 1), x]
    return (top * (1 - frac) + bottom * frac).astype(np.float32)  # (H', W)


def resize_to_height(ink: np.ndarray, height: int, max_width: int | None = None) -> np.ndarray:
    """``(H, W)`` -> ``(height, W')``, W' = round(W * height / H) capped at ``max_width``; antialiased bilinear."""
    h, w = ink.shape
    new_w = max(1, round(w * height / h))
    if max_width is not None:
        new_w = min(new_w, max_width)
    if (h, w) == (height, new_w):
        return ink.copy()
    im = Image.fromarray(np.ascontiguousarray(ink, dtype=np.float32), mode="F")
    out = np.asarray(im.resize((new_w, height), Image.Resampling.BILINEAR), dtype=np.float32)
    return np.clip(out, 0.0, 1.0)  # (height, W')


def line_features(ink: np.ndarray, cfg: dict) -> Piece:
    """Ink map ``(H, W)`` -> :class:`Piece` with features ``(1, line_height, W')``, as the frontend's featurize."""
    x0, width = 0, ink.shape[1]
    if cfg.get("straighten", True):
        ink = straighten(ink, threshold=cfg.get("crop_threshold", 0.25))
    if cfg.get("crop", True):
        y0, y1, x0, x1 = ink_box(ink, threshold=cfg.get("crop_threshold", 0.25), margin=cfg.get("crop_margin", 0.1))
        ink, width = ink[y0:y1, x0:x1], x1 - x0
    x = resize_to_height(ink, int(cfg["line_height"]), cfg.get("max_width", 4096))  # (F, W')
    return Piece(x[None], start=float(x0), frame_step=width / x.shape[1])


@dataclass(frozen=True)
class ImageReader:
    """Reads line images for an export of the ``image`` frontend (graph input ``features``)."""

    config: dict  # the frontend's config from the export's metadata
    kinds: tuple[str, ...] = ("features",)

    @classmethod
    def from_info(cls, info: OnnxModelInfo) -> ImageReader:
        return cls(dict(info.frontend_config))

    def pieces(self, source: Any, kind: str) -> list[Piece]:
        if kind != "features":
            raise ModelMismatchError("an image export takes features; this one expects raw input")
        cfg = self.config
        gray = read_gray(source, max_pixels=int(cfg.get("max_pixels", 1 << 25)))
        if cfg.get("refuse_pages", True):  # the frontend's default, for exports made before the setting
            refuse_pages(gray, source)
        ink = to_ink(gray, cfg.get("polarity", "auto"), cfg.get("normalize_contrast", True), cfg.get("refill_fill", True))
        return [line_features(ink, cfg)]
