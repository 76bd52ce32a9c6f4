"""Decoding line images: any path, bytes, PIL image, array or tensor to a grayscale ``(H, W)`` array.

H is the image height and W its width in pixels. :func:`read_gray` returns *intensity*
(1 = white, 0 = black); :func:`to_ink` then turns it into *ink* (1 = ink, 0 = background) whatever
the polarity of the original. Every problem is raised as a :mod:`recog.errors` error naming the input.
The image plugin's one reader, torch-free (NumPy + Pillow): the PyTorch frontend and the ONNX runtime
(:mod:`recog_image.reader`) both read through it, so they accept and refuse the same inputs.
"""

from __future__ import annotations

import io
import os
import struct
import warnings
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from recog.errors import CorruptInputError, EmptyInputError, InputNotFoundError, UnsupportedFormatError
from recog.pieces import read_head

__all__ = ["IMAGE_SUFFIXES", "MIN_INK_CONTRAST", "sniff_image", "read_gray", "refill_white_mask", "to_ink"]

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".jpe", ".tif", ".tiff", ".bmp", ".dib", ".webp", ".gif")
_BMP_DIB_SIZES = {12, 40, 52, 56, 64, 108, 124}  # BITMAPCOREHEADER .. BITMAPV5HEADER
_LUMA = (0.299, 0.587, 0.114)  # ITU-R 601, as PIL's convert("L")


def sniff_image(head: bytes) -> str | None:
    """The format named by a file's first bytes (PNG, JPEG, TIFF, BMP, WEBP, GIF), or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):  # TIFF and BigTIFF
        return "TIFF"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if head[:2] == b"BM" and len(head) >= 18 and struct.unpack("<I", head[14:18])[0] in _BMP_DIB_SIZES:
        return "BMP"
    return None


def _header_size(head: bytes, kind: str | None) -> tuple[int, int] | None:
    """(W, H) read straight from a PNG, GIF or BMP header, for images PIL refuses to open (0 pixels)."""
    if kind == "PNG" and len(head) >= 24 and head[12:16] == b"IHDR":
        return struct.unpack(">II", head[16:24])
    if kind == "GIF" and len(head) >= 10:
        return struct.unpack("<HH", head[6:10])
    if kind == "BMP" and len(head) >= 26:
        if struct.unpack("<I", head[14:18])[0] == 12:
            return struct.unpack("<HH", head[18:22])
        w, h = struct.unpack("<ii", head[18:26])
        return abs(w), abs(h)
    return None


def is_tensor(x: Any) -> bool:
    """A torch tensor, told without importing torch (this reader serves torch-free deployments too)."""
    return type(x).__module__.partition(".")[0] == "torch" and hasattr(x, "detach")


def read_gray(source: Any, *, max_pixels: int) -> np.ndarray:
    """Decode one image to intensity ``(H, W)`` float32 in [0, 1] (1 = white), EXIF orientation applied.

    Args:
        source: a path (str or PathLike), encoded bytes, a PIL image, a numpy array ``(H, W)`` or
            ``(H, W, C)`` (channels last), or a torch tensor ``(H, W)`` or ``(C, H, W)`` (channels first),
            C in 1 (gray), 2 (gray + alpha), 3 (RGB), 4 (RGBA). Alpha is composited on white.
            Integer arrays are scaled by their dtype's range; float arrays must lie in [0, 1] or [0, 255].
        max_pixels: images with more pixels are refused (decompression bombs).

    Raises:
        InputNotFoundError, UnsupportedFormatError, CorruptInputError, EmptyInputError.
    """
    if isinstance(source, Image.Image):
        return _from_pil(source, _pil_name(source), max_pixels)
    if isinstance(source, np.ndarray):
        return _from_array(source, source, channels_last=True, max_pixels=max_pixels)
    if is_tensor(source):
        x = source.detach().cpu()
        if x.is_complex():
            raise UnsupportedFormatError(source, f"expected real pixel values, found dtype {x.dtype}")
        if str(x.dtype) in ("torch.float16", "torch.bfloat16"):
            x = x.float()  # no (or a lossy) numpy form
        return _from_array(x.numpy(), source, channels_last=False, max_pixels=max_pixels)
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        return _decode(io.BytesIO(data), data[:64], source, max_pixels)
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        head = read_head(path)  # raises InputNotFoundError naming it
        try:
            f = open(path, "rb")
        except OSError as e:
            raise InputNotFoundError(path, f"cannot be read: {e.strerror or e}") from e
        with f:
            return _decode(f, head, path, max_pixels)
    raise UnsupportedFormatError(
        source, "expected a path, bytes, a PIL image, a numpy array or a torch tensor for an image"
    )


def _decode(fp: Any, head: bytes, source: Any, max_pixels: int) -> np.ndarray:
    if not head:
        raise EmptyInputError(source, "file is empty (0 bytes), expected an image")
    kind = sniff_image(head)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(fp)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise UnsupportedFormatError(source, f"image too large, refused as a possible decompression bomb ({e})") from e
    except UnidentifiedImageError as e:
        size = _header_size(head, kind)
        if size is not None and 0 in size:
            raise EmptyInputError(source, f"{kind} image is {size[0]}x{size[1]} pixels, expected at least 1x1") from e
        if kind is not None:
            raise CorruptInputError(source, f"looks like {kind} but cannot be decoded (damaged header?)") from e
        raise UnsupportedFormatError(
            source, f"not an image (expected PNG, JPEG, TIFF, BMP, WebP or GIF; content starts with {head[:8]!r})"
        ) from e
    except (OSError, ValueError, SyntaxError, struct.error) as e:
        raise CorruptInputError(source, f"cannot be decoded as {kind or 'an image'}: {e}") from e
    with im:
        return _from_pil(im, source, max_pixels)


def _from_pil(im: Image.Image, source: Any, max_pixels: int) -> np.ndarray:
    w, h = im.size
    if w == 0 or h == 0:
        raise EmptyInputError(source, f"image is {w}x{h} pixels, expected at least 1x1")
    if w * h > max_pixels:
        raise UnsupportedFormatError(
            source, f"image is {w}x{h} = {w * h} pixels, more than the limit of {max_pixels} (max_pixels)"
        )
    frames = getattr(im, "n_frames", 1)
    if frames > 1:
        raise UnsupportedFormatError(
            source, f"{im.format or 'image'} has {frames} frames (animated or multi-page); expected one still line image"
        )
    try:
        im.load()
    except (OSError, ValueError, SyntaxError, struct.error) as e:
        raise CorruptInputError(source, f"cannot decode {im.format or 'image'} data: {e}") from e
    try:
        im = ImageOps.exif_transpose(im)
    except Exception:  # damaged EXIF metadata: keep the pixels as stored
        pass
    return _pil_to_gray(im, source)


def _pil_to_gray(im: Image.Image, source: Any) -> np.ndarray:
    mode = im.mode
    if mode in ("I;16", "I;16L", "I;16B", "I;16N", "I", "F"):
        a = np.asarray(im).astype(np.float64)  # (H, W)
        return _scale_numeric(a, source, integer=mode != "F").astype(np.float32)
    if mode == "L":
        return np.array(im, dtype=np.float32) / np.float32(255.0)
    has_alpha = "A" in mode or "a" in mode or (mode == "P" and "transparency" in im.info)
    if has_alpha:
        rgba = im.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        im = Image.alpha_composite(white, rgba)
    try:
        gray = im.convert("L") if im.mode in ("1", "P", "RGB", "RGBA") else im.convert("RGB").convert("L")
    except (ValueError, OSError) as e:
        raise UnsupportedFormatError(source, f"image mode {mode!r} cannot be converted to grayscale: {e}") from e
    return np.array(gray, dtype=np.float32) / np.float32(255.0)


def _from_array(x: np.ndarray, source: Any, *, channels_last: bool, max_pixels: int) -> np.ndarray:
    """Pixels ``(H, W)``, ``(H, W, C)`` (``channels_last``) or ``(C, H, W)`` -> intensity ``(H, W)`` float32."""
    if x.ndim == 3 and channels_last:
        x = np.moveaxis(x, 2, 0)  # (H, W, C) -> (C, H, W)
    if x.ndim == 2:
        x = x[None]  # (1, H, W)
    layout = "(H, W) or (H, W, C)" if channels_last else "(H, W) or (C, H, W)"
    if x.ndim != 3 or x.shape[0] not in (1, 2, 3, 4):
        raise UnsupportedFormatError(source, f"expected an image of shape {layout} with C in 1..4")
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


MIN_INK_CONTRAST = 0.1  # the strongest ink must stand this far (of full scale) above the background


def _lower_median(x: np.ndarray) -> np.float32:
    """The lower of the two middle values for an even count (as ``torch.median``, so models see what they trained on)."""
    flat = x.reshape(-1)
    k = (flat.size - 1) // 2
    return np.partition(flat, k)[k]


_FILL = 0.98  # a pixel at least this white may be a polygon crop's fill


def refill_white_mask(gray: np.ndarray) -> np.ndarray:
    """``gray`` ``(H, W)`` with a pure-white polygon fill set to the paper's level; otherwise ``gray`` itself.

    Many HTR datasets ship their lines cut out along the PAGE polygon with pure white outside it (Hooker's
    letters in ../shared do). Such a crop has two backgrounds: the fill and the paper, darker than it. The
    median is the fill when it covers half the image, so contrast normalisation made the paper inside the
    polygon a grey band of "ink" (~0.4) with the polygon's outline as its edge. The fill gets the paper's
    level (the median of the other pixels), as :mod:`recog_image.layout` fills its own crops, when all of:
    the near-white pixels (>= 0.98) are 5-95% of the image, nearly all of them exactly white (>= 70% at
    254.5/255: a fill, not a paper texture's highlights), and the other pixels are light paper (median
    0.5-0.93, at least 40% of them within 0.06 of it: a paper's narrow peak, not the broad spread of ink
    strokes on white paper) filling an area, not strokes: at least half of them survive a 5x5 erosion (light
    pencil on white paper, one DHSD test writer's hand, passes every other test; its strokes do not survive).
    """
    fill = gray >= _FILL
    share = float(fill.mean())
    if not 0.05 <= share <= 0.95:
        return gray
    rest = gray[~fill]
    paper = float(np.median(rest))
    exact = float((gray >= 254.5 / 255).sum()) / float(fill.sum())
    if not (0.5 <= paper <= 0.93 and exact >= 0.7 and float((np.abs(rest - paper) < 0.06).mean()) >= 0.4):
        return gray
    if _eroded(~fill, 5).sum() < 0.5 * rest.size:
        return gray
    return np.where(fill, np.float32(paper), gray).astype(np.float32)


def _eroded(mask: np.ndarray, k: int) -> np.ndarray:
    """Binary erosion of ``mask`` ``(H, W)`` by a k x k square (outside the image counts as False)."""
    h, w = mask.shape
    r = k // 2
    out = np.pad(mask, r, constant_values=False)
    cols = np.logical_and.reduce([out[:, dx:dx + w] for dx in range(k)])  # (H + 2r, W)
    return np.logical_and.reduce([cols[dy:dy + h] for dy in range(k)])  # (H, W)


def to_ink(gray: np.ndarray, polarity: str = "auto", normalize: bool = True, refill: bool = True) -> np.ndarray:
    """Intensity ``(H, W)`` -> ink ``(H, W)``: 1 = ink, 0 = background, for either polarity.

    Args:
        gray: intensities in [0, 1] (1 = white).
        polarity: "auto" (the background is the median and the ink the tail farther from it: dark ink on
            light paper if the darkest pixel is at least as far below the median as the lightest is above it),
            "dark-on-light" or "light-on-dark". A white fill around a polygon crop (PAGE/ALTO lines) leaves
            this rule alone; comparing the median with the mean read 45% of such lines as light-on-dark.
        normalize: stretch so the background (median) maps to 0 and the strongest ink to 1; an image whose
            strongest ink is less than :data:`MIN_INK_CONTRAST` above the background has no ink (all zeros).
        refill: first give a pure-white polygon fill the paper's level (:func:`refill_white_mask`).
    """
    if refill:
        gray = refill_white_mask(gray)
    if polarity == "auto":
        bg = _lower_median(gray)
        dark_on_light = bool(bg - gray.min() >= gray.max() - bg)
    elif polarity in ("dark-on-light", "light-on-dark"):
        dark_on_light = polarity == "dark-on-light"
    else:
        raise ValueError(f"polarity must be 'auto', 'dark-on-light' or 'light-on-dark', got {polarity!r}")
    ink = np.float32(1.0) - gray if dark_on_light else gray.copy()
    if not normalize:
        return ink
    bg, top = _lower_median(ink), ink.max()
    if float(top - bg) < MIN_INK_CONTRAST:  # blank paper, its texture or scanner noise: no ink at all
        return np.zeros_like(ink)
    return np.clip((ink - bg) / (top - bg), 0.0, 1.0)


def _pil_name(im: Image.Image) -> str | Path:
    name = getattr(im, "filename", "")
    return Path(name) if name else f"<PIL {im.mode} image {im.size[0]}x{im.size[1]}>"
