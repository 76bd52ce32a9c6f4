"""Torch-free line-image reading for the ONNX runtime: Pillow + NumPy, the image frontend's geometry.

H height, W width in pixels. An image becomes the feature map ``(1, line_height, W')`` the
``image`` frontend would give: grayscale intensity (EXIF orientation applied, alpha composited on
white) -> ink map (1 = ink, 0 = background, polarity detected from the median as the frontend
does, contrast stretched) -> cropped to the ink's box with a margin -> scaled to ``line_height``
rows with antialiased bilinear interpolation (Pillow's ``BILINEAR`` on float images, the filter
torch's ``interpolate(..., antialias=True)`` was ported from) -> clamped to [0, 1].

The image frontend offers no feature module (its crop and polarity depend on the pixel values),
so image exports take features, computed here.
"""

from __future__ import annotations

import io
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from ..errors import CorruptInputError, EmptyInputError, InputNotFoundError, ModelMismatchError, UnsupportedFormatError
from .readers import Piece

if TYPE_CHECKING:  # pragma: no cover
    from .model_info import OnnxModelInfo

__all__ = ["ImageReader", "read_gray", "to_ink", "ink_box", "resize_to_height", "line_features"]

_LUMA = (0.299, 0.587, 0.114)  # ITU-R 601, as PIL's convert("L")


# --- decoding --------------------------------------------------------------------------------------


def read_gray(source: Any, *, max_pixels: int) -> np.ndarray:
    """A path, file bytes, PIL image or array ``(H, W)``/``(H, W, C)`` -> intensity ``(H, W)`` float32, 1 = white."""
    if isinstance(source, Image.Image):
        name = getattr(source, "filename", "") or f"<PIL {source.mode} image {source.size[0]}x{source.size[1]}>"
        return _from_pil(source, name, max_pixels)
    if isinstance(source, np.ndarray):
        return _from_array(source, source, max_pixels)
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        if not data:
            raise EmptyInputError(source, "no bytes, expected an image")
        return _decode(io.BytesIO(data), source, max_pixels)
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.is_file():
            raise InputNotFoundError(path, "no such file" if not path.exists() else "not a regular file")
        if path.stat().st_size == 0:
            raise EmptyInputError(path, "file is empty (0 bytes), expected an image")
        with open(path, "rb") as f:
            return _decode(f, path, max_pixels)
    raise UnsupportedFormatError(source, "expected a path, bytes, a PIL image or a NumPy array for an image")


def _decode(fp: Any, source: Any, max_pixels: int) -> np.ndarray:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(fp)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise UnsupportedFormatError(source, f"image too large, refused as a possible decompression bomb ({e})") from e
    except UnidentifiedImageError as e:
        raise UnsupportedFormatError(source, "not an image Pillow decodes (PNG, JPEG, TIFF, BMP, WebP, GIF)") from e
    except (OSError, ValueError, SyntaxError) as e:
        raise CorruptInputError(source, f"cannot be decoded as an image: {e}") from e
    with im:
        return _from_pil(im, source, max_pixels)


def _from_pil(im: Image.Image, source: Any, max_pixels: int) -> np.ndarray:
    w, h = im.size
    if w == 0 or h == 0:
        raise EmptyInputError(source, f"image is {w}x{h} pixels, expected at least 1x1")
    if w * h > max_pixels:
        raise UnsupportedFormatError(source, f"image is {w}x{h} = {w * h} pixels, more than the limit of {max_pixels}")
    if getattr(im, "n_frames", 1) > 1:
        raise UnsupportedFormatError(source, f"{im.format or 'image'} has several frames; expected one still line image")
    try:
        im.load()
    except (OSError, ValueError, SyntaxError) as e:
        raise CorruptInputError(source, f"cannot decode {im.format or 'image'} data: {e}") from e
    try:
        im = ImageOps.exif_transpose(im)
    except Exception:  # damaged EXIF metadata: keep the pixels as stored
        pass
    mode = im.mode
    if mode in ("I;16", "I;16L", "I;16B", "I;16N", "I", "F"):
        return _scale_numeric(np.asarray(im).astype(np.float64), source, integer=mode != "F").astype(np.float32)
    if mode != "L":
        if "A" in mode or "a" in mode or (mode == "P" and "transparency" in im.info):
            rgba = im.convert("RGBA")
            im = Image.alpha_composite(Image.new("RGBA", rgba.size, (255, 255, 255, 255)), rgba)
        try:
            im = im.convert("L") if im.mode in ("1", "P", "RGB", "RGBA") else im.convert("RGB").convert("L")
        except (ValueError, OSError) as e:
            raise UnsupportedFormatError(source, f"image mode {mode!r} cannot be converted to grayscale: {e}") from e
    return np.array(im, dtype=np.float32) / np.float32(255.0)


def _from_array(x: np.ndarray, source: Any, max_pixels: int) -> np.ndarray:
    if x.ndim == 3:
        x = np.moveaxis(x, 2, 0)  # (H, W, C) -> (C, H, W)
    elif x.ndim == 2:
        x = x[None]  # (1, H, W)
    if x.ndim != 3 or x.shape[0] not in (1, 2, 3, 4):
        raise UnsupportedFormatError(source, "expected an image of shape (H, W) or (H, W, C) with C in 1..4")
    c, h, w = x.shape
    if h == 0 or w == 0:
        raise EmptyInputError(source, f"image is {w}x{h} pixels, expected at least 1x1")
    if h * w > max_pixels:
        raise UnsupportedFormatError(source, f"image is {w}x{h} = {w * h} pixels, more than the limit of {max_pixels}")
    if x.dtype == np.bool_:
        x = x.astype(np.float32)
    elif x.dtype == np.uint8:
        x = x.astype(np.float32) / np.float32(255.0)
    elif x.dtype.kind in "fiu":
        x = _scale_numeric(x.astype(np.float64), source, integer=x.dtype.kind != "f").astype(np.float32)
    else:
        raise UnsupportedFormatError(source, f"expected real pixel values, found dtype {x.dtype}")
    if c in (2, 4):  # composite on white: v * a + 1 * (1 - a)
        alpha = x[-1:]
        x = x[:-1] * alpha + (np.float32(1.0) - alpha)
    if x.shape[0] == 3:
        x = sum(np.float32(wt) * x[i] for i, wt in enumerate(_LUMA))[None]
    return np.ascontiguousarray(x[0], dtype=np.float32)  # (H, W)


def _scale_numeric(x: np.ndarray, source: Any, *, integer: bool) -> np.ndarray:
    """Values to [0, 1]: floats in [0, 1] or [0, 255]; integers by the range they fit (8, 16 bits, or their max)."""
    if not np.isfinite(x).all():
        raise CorruptInputError(source, "pixel values contain NaN or infinity")
    lo, hi = float(x.min()), float(x.max())
    if lo < 0:
        raise CorruptInputError(source, f"expected non-negative pixel values, found a minimum of {lo:g}")
    if not integer:
        if hi <= 1.0:
            return x
        if hi <= 255.0:
            return x / 255.0
        raise CorruptInputError(source, f"expected float pixel values in [0, 1] or [0, 255], found up to {hi:g}")
    for top in (255.0, 65535.0):
        if hi <= top:
            return x / top
    return x / hi


# --- geometry ----------------------------------------------------------------------------------------


def _lower_median(x: np.ndarray) -> np.float32:
    """The lower of the two middle values for an even count, as ``torch.median``."""
    flat = x.reshape(-1)
    k = (flat.size - 1) // 2
    return np.partition(flat, k)[k]


def to_ink(gray: np.ndarray, polarity: str = "auto", normalize: bool = True) -> np.ndarray:
    """Intensity ``(H, W)`` -> ink ``(H, W)``: 1 = ink, 0 = background (the frontend's ``to_ink``)."""
    if polarity == "auto":
        dark_on_light = bool(_lower_median(gray) >= gray.mean(dtype=np.float32))
    else:
        dark_on_light = polarity == "dark-on-light"
    ink = np.float32(1.0) - gray if dark_on_light else gray.copy()
    if not normalize:
        return ink
    bg, top = _lower_median(ink), ink.max()
    if float(top - bg) < 0.1:  # no ink at all (recog_image.io.MIN_INK_CONTRAST: blank paper, texture, noise)
        return np.zeros_like(ink)
    return np.clip((ink - bg) / (top - bg), 0.0, 1.0)


def ink_box(ink: np.ndarray, *, threshold: float, margin: float) -> tuple[int, int, int, int]:
    """``(y0, y1, x0, x1)`` around the ink, widened by ``margin`` times its height; the whole image if none."""
    h, w = ink.shape
    mask = ink > threshold  # (H, W)
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if rows.size == 0 or cols.size == 0:
        return 0, h, 0, w
    y0, y1, x0, x1 = int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1
    pad = max(1, round(margin * (y1 - y0)))
    return max(0, y0 - pad), min(h, y1 + pad), max(0, x0 - pad), min(w, x1 + pad)


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
    if cfg.get("crop", True):
        y0, y1, x0, x1 = ink_box(ink, threshold=cfg.get("crop_threshold", 0.25), margin=cfg.get("crop_margin", 0.1))
        ink, width = ink[y0:y1, x0:x1], x1 - x0
    x = resize_to_height(ink, int(cfg["line_height"]), cfg.get("max_width", 4096))  # (F, W')
    return Piece(x[None], width / x.shape[1], float(x0))


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
        ink = to_ink(gray, cfg.get("polarity", "auto"), cfg.get("normalize_contrast", True))
        return [line_features(ink, cfg)]
