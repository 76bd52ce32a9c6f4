"""Geometry of line images as pure functions: crop to the ink, resize to the model's line height.

Images are ink maps ``(H, W)`` (1 = ink, 0 = background), H height and W width in pixels.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
import torch.nn.functional as F

__all__ = ["Crop", "ink_box", "resize_to_height"]


class Crop(NamedTuple):
    """A window ``[y0, y1) x [x0, x1)`` of an image, in pixels."""

    y0: int
    y1: int
    x0: int
    x1: int


def ink_box(ink: torch.Tensor, *, threshold: float = 0.25, margin: float = 0.1, min_pixels: int = 1) -> Crop:
    """The box around the ink of ``ink`` ``(H, W)``, widened by a margin; the whole image if it has none.

    Args:
        threshold: a pixel is ink above this value.
        margin: kept around the ink, as a fraction of the ink box's height (at least one pixel).
        min_pixels: a row or column belongs to the ink only with at least this many ink pixels
            (ignores isolated specks).
    """
    h, w = ink.shape
    mask = ink > threshold  # (H, W)
    rows = torch.nonzero(mask.sum(1) >= min_pixels).flatten()
    cols = torch.nonzero(mask.sum(0) >= min_pixels).flatten()
    if rows.numel() == 0 or cols.numel() == 0:
        return Crop(0, h, 0, w)
    y0, y1 = int(rows[0]), int(rows[-1]) + 1
    x0, x1 = int(cols[0]), int(cols[-1]) + 1
    pad = max(1, round(margin * (y1 - y0)))
    return Crop(max(0, y0 - pad), min(h, y1 + pad), max(0, x0 - pad), min(w, x1 + pad))


def resize_to_height(ink: torch.Tensor, height: int, max_width: int | None = None) -> torch.Tensor:
    """Resize ``(H, W)`` to ``(height, W')`` keeping the aspect ratio, W' = round(W * height / H) >= 1.

    Lines wider than ``max_width`` after scaling are squeezed horizontally to ``max_width``.
    Uses antialiased bilinear interpolation, so downscaling does not alias thin strokes.
    """
    h, w = ink.shape
    new_w = max(1, round(w * height / h))
    if max_width is not None:
        new_w = min(new_w, max_width)
    if (h, w) == (height, new_w):
        return ink.clone()
    x = F.interpolate(ink[None, None], size=(height, new_w), mode="bilinear", antialias=True, align_corners=False)
    return x[0, 0].clamp_(0.0, 1.0)  # (height, W')
