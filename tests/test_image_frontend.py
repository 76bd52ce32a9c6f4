"""The line-image frontend (plugins/recog_image): decoding every mode and format, polarity, bad images,
sniffing, featurization, augmentation, config persistence and registration through the entry point."""

from __future__ import annotations

import io
import json
import struct
import time
import zlib
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from recog.errors import ConfigError, CorruptInputError, EmptyInputError, InputNotFoundError, UnsupportedFormatError
from recog.frontend import Features
from recog.plugins import get_host
from recog_image import LineAugmentConfig, LineImageConfig, LineImageFrontend
from recog_image.reader import ink_box, line_features, resize_to_height, straighten
from recog_image.io import refill_white_mask, sniff_image, to_ink

H, W = 32, 96  # size of the test line image


def _line_u8() -> np.ndarray:
    """A white (H, W) uint8 'line' with three black strokes; expected ink is :func:`_expected_ink`."""
    a = np.full((H, W), 255, np.uint8)
    a[8:24, 10:16] = 0
    a[12:20, 30:70] = 0
    a[6:26, 80:86] = 0
    return a


def _expected_ink() -> torch.Tensor:
    return torch.from_numpy((_line_u8() == 0).astype(np.float32))


@pytest.fixture
def fe() -> LineImageFrontend:
    return LineImageFrontend()


def _close(ink: torch.Tensor, tol: float) -> None:
    assert ink.shape == (H, W)
    assert ink.dtype == torch.float32
    assert 0.0 <= float(ink.min()) and float(ink.max()) <= 1.0
    err = (ink - _expected_ink()).abs().mean()
    assert err < tol, f"mean abs error {err:.4f} >= {tol}"


def _mode_image(mode: str) -> Image.Image:
    a = _line_u8()
    base = Image.fromarray(a)
    if mode == "1":
        return base.convert("1", dither=Image.Dither.NONE)
    if mode == "L":
        return base
    if mode == "P":
        return base.convert("RGB").convert("P", palette=Image.Palette.ADAPTIVE, colors=4)
    if mode == "RGB":
        rgb = np.stack([a, a, a], -1).copy()
        rgb[a == 0] = (20, 30, 120)  # dark blue ink
        return Image.fromarray(rgb)
    if mode in ("RGBA", "LA"):
        # black everywhere, opaque only where the ink is: correct only if composited on white
        alpha = (a == 0).astype(np.uint8) * 255
        if mode == "LA":
            return Image.merge("LA", [Image.new("L", (W, H), 0), Image.fromarray(alpha)])
        return Image.merge("RGBA", [Image.new("L", (W, H), 0)] * 3 + [Image.fromarray(alpha)])
    if mode == "I;16":
        return Image.fromarray(a.astype(np.uint16) * 257)
    if mode == "I":
        return Image.fromarray(a.astype(np.int32) * 257)
    if mode == "F":
        return Image.fromarray(a.astype(np.float32) / 255.0)
    if mode == "CMYK":
        return base.convert("RGB").convert("CMYK")
    raise AssertionError(mode)


# (mode, format) pairs Pillow can write; every mode and every format appears at least once
MODE_FORMATS = [
    ("1", "PNG"), ("1", "TIFF"), ("1", "BMP"),
    ("L", "PNG"), ("L", "JPEG"), ("L", "TIFF"), ("L", "BMP"), ("L", "WEBP"), ("L", "GIF"),
    ("P", "PNG"), ("P", "GIF"), ("P", "BMP"), ("P", "TIFF"),
    ("RGB", "PNG"), ("RGB", "JPEG"), ("RGB", "TIFF"), ("RGB", "BMP"), ("RGB", "WEBP"),
    ("RGBA", "PNG"), ("RGBA", "TIFF"), ("RGBA", "WEBP"),
    ("LA", "PNG"), ("LA", "TIFF"),
    ("I;16", "PNG"), ("I;16", "TIFF"),
    ("I", "TIFF"),
    ("F", "TIFF"),
    ("CMYK", "JPEG"), ("CMYK", "TIFF"),
]  # fmt: skip
SUFFIX = {"PNG": ".png", "JPEG": ".jpg", "TIFF": ".tif", "BMP": ".bmp", "WEBP": ".webp", "GIF": ".gif"}
LOSSY = {"JPEG", "WEBP"}


@pytest.mark.parametrize("mode,fmt", MODE_FORMATS, ids=[f"{m}-{f}" for m, f in MODE_FORMATS])
def test_every_mode_and_format_loads_as_ink(tmp_path, fe, mode, fmt):
    im = _mode_image(mode)
    path = tmp_path / f"line{SUFFIX[fmt]}"
    kwargs = {"quality": 95} if fmt in LOSSY else {}
    if fmt == "WEBP" and mode != "RGB":
        kwargs = {"lossless": True}
    im.save(path, fmt, **kwargs)
    with Image.open(path) as check:
        stored_mode = check.mode
    if fmt == "PNG" or (fmt == "TIFF" and mode not in ("P",)):
        assert stored_mode == mode or (mode == "I" and stored_mode.startswith("I")), stored_mode
    _close(fe.load(path), 0.03 if fmt in LOSSY else 0.01)
    assert fe.sniff(path.read_bytes()[:64]), f"{fmt} not sniffed"


@pytest.mark.parametrize("mode", ["1", "L", "P", "RGB", "RGBA", "LA", "I;16", "I", "F", "CMYK"])
def test_every_mode_as_pil_image(fe, mode):
    _close(fe.load(_mode_image(mode)), 0.01)


def test_rgba_transparent_background_is_paper_not_ink(fe):
    ink = fe.load(_mode_image("RGBA"))
    assert float(ink[0, 0]) == 0.0  # transparent black is composited on white
    assert float(ink[15, 40]) == pytest.approx(1.0)


def test_in_memory_inputs_agree(fe):
    a = _line_u8()
    ref = fe.load(a)
    _close(ref, 1e-6)
    buf = io.BytesIO()
    Image.fromarray(a).save(buf, "PNG")
    rgb = np.stack([a] * 3, -1)
    rgba = np.concatenate([rgb, np.full((H, W, 1), 255, np.uint8)], -1)
    inputs = {
        "bytes": buf.getvalue(),
        "bytearray": bytearray(buf.getvalue()),
        "memoryview": memoryview(buf.getvalue()),
        "pil": Image.fromarray(a),
        "hw1": a[:, :, None],
        "hwc rgb": rgb,
        "hwc rgba": rgba,
        "float01": a.astype(np.float32) / 255,
        "float255": a.astype(np.float64),
        "uint16": a.astype(np.uint16) * 257,
        "bool": a > 127,
        "tensor hw": torch.from_numpy(a),
        "tensor chw": torch.from_numpy(rgb).permute(2, 0, 1),
        "tensor float": torch.from_numpy(a).float() / 255,
    }
    for name, x in inputs.items():
        assert torch.allclose(fe.load(x), ref, atol=1e-4), name


def test_bad_arrays_are_refused(fe):
    with pytest.raises(CorruptInputError, match="NaN"):
        fe.load(np.full((10, 10), np.nan, np.float32))
    with pytest.raises(CorruptInputError, match="non-negative"):
        fe.load(-np.ones((10, 10), np.float32))
    with pytest.raises(CorruptInputError, match=r"\[0, 1\]"):
        fe.load(np.full((10, 10), 300.0))
    with pytest.raises(UnsupportedFormatError, match="shape"):
        fe.load(np.zeros((4, 4, 4, 4), np.uint8))
    with pytest.raises(UnsupportedFormatError, match="expected a path"):
        fe.load(12345)


def _exif_jpeg(orientation: int) -> bytes:
    """A 20x60 (H x W) JPEG whose stored top-left corner holds a black square, with an orientation tag."""
    a = np.full((20, 60), 255, np.uint8)
    a[:6, :6] = 0
    exif = Image.Exif()
    exif[0x0112] = orientation
    buf = io.BytesIO()
    Image.fromarray(a).save(buf, "JPEG", quality=95, exif=exif)
    return buf.getvalue()


def test_exif_orientation_is_honoured(fe, tmp_path):
    path = tmp_path / "rotated.jpg"
    path.write_bytes(_exif_jpeg(6))  # 6: displayed rotated 90 degrees clockwise
    ink = fe.load(path)
    assert ink.shape == (60, 20)
    assert float(ink[:6, -6:].mean()) > 0.9  # the mark moved to the top-right corner
    assert float(ink[:6, :6].mean()) < 0.1
    plain = fe.load(_exif_jpeg(1))
    assert plain.shape == (20, 60) and float(plain[:6, :6].mean()) > 0.9


def test_both_polarities_give_the_same_features(fe):
    a = _line_u8()
    dark_on_light = fe.features(a)
    light_on_dark = fe.features(255 - a)
    gray = (a.astype(np.float32) / 255 * 0.5 + 0.4)  # gray ink 0.4 on gray paper 0.9
    low_contrast = fe.features(gray)
    assert light_on_dark.data.shape == dark_on_light.data.shape == low_contrast.data.shape
    assert (light_on_dark.data - dark_on_light.data).abs().max() < 1e-5
    assert (low_contrast.data - dark_on_light.data).abs().max() < 1e-3
    # a forced polarity is obeyed: right, it matches auto; wrong, the paper becomes ink
    forced = LineImageFrontend(LineImageConfig(polarity="light-on-dark"))
    assert torch.equal(forced.load(255 - a), fe.load(a))
    wrong = LineImageFrontend(LineImageConfig(polarity="dark-on-light", normalize_contrast=False))
    assert float(wrong.load(255 - a).mean()) > 0.5


def test_a_polygon_crop_with_a_white_fill_is_read_as_dark_ink():
    # A PAGE/ALTO line cut out along its polygon: pure white outside it (40%), gray paper inside (0.85), dark
    # strokes (5%). The fill lifts the mean above the median, which once flipped such lines to light-on-dark
    # (45% of the Hooker lines in ../shared): the paper became the ink and the handwriting vanished.
    gray = np.full((40, 100), 0.85, np.float32)
    gray[:, :40] = 1.0
    gray[18:22, 45:95] = 0.2
    assert gray.mean() > np.median(gray)
    ink = to_ink(gray)
    assert float(ink[18:22, 45:95].min()) == 1.0  # the strokes are the ink
    assert float(ink[:, :40].max()) == 0.0 and float(ink[:10, 45:].max()) == 0.0  # fill and paper are not
    assert np.array_equal(to_ink(gray, "dark-on-light"), ink)


def _banded_crop(fill_share: float = 0.6, seed: int = 0) -> np.ndarray:
    """A line cut along a slanted polygon, as Hooker's lines ship: pure white outside a band of gray paper (0.78
    with texture) holding dark strokes; ``fill_share`` of the image is fill. ``(40, 300)`` intensities."""
    rng = np.random.default_rng(seed)
    h, w = 40, 300
    gray = np.ones((h, w), np.float32)
    band = round(h * (1 - fill_share))
    for x in range(w):
        top = round((h - band) * x / (w - 1))  # the band climbs across the crop
        gray[top:top + band, x] = 0.78 + rng.normal(0, 0.015, band)
        if x % 9 < 3:
            gray[top + band // 3:top + 2 * band // 3, x] = 0.15  # strokes
    return gray


def test_a_white_polygon_fill_gets_the_papers_level():
    # With the fill over half the crop the median is the fill, so the paper became a gray band of "ink"
    # (0.2-0.3 here) whose edges, the polygon's outline, looked like strokes.
    gray = _banded_crop()
    old = to_ink(gray, refill=False)
    paper = (gray < 0.9) & (gray > 0.5)
    assert float(np.median(old[paper])) > 0.2
    refilled = refill_white_mask(gray)
    assert np.allclose(refilled[gray >= 0.98], np.median(gray[gray < 0.98]))
    ink = to_ink(gray)
    assert float(np.median(ink[paper])) < 0.05 and float(ink[gray >= 0.98].max()) == 0.0  # paper and fill: background
    assert float(ink[gray < 0.2].min()) > 0.9  # the strokes stay ink


@pytest.mark.parametrize("case", ["ink on white paper", "light pencil on white paper", "paper texture",
                                  "light paper, no fill", "white on black"])
def test_images_without_a_polygon_fill_are_not_refilled(case):
    rng = np.random.default_rng(1)
    gray = np.ones((40, 200), np.float32)
    if case == "ink on white paper":  # DHSD-like: white paper, strokes with a broad spread of grays
        gray[10:30, 20:180] = rng.uniform(0.1, 0.95, (20, 160))
        gray[rng.random((40, 200)) < 0.6] = 1.0
    elif case == "light pencil on white paper":  # DHSD test writer 14: thin strokes of one light gray, like paper
        for x0 in range(20, 180, 9):
            gray[10:30, x0:x0 + 2] = 0.85 + rng.normal(0, 0.01, (20, 2))
            gray[19:21, x0:x0 + 7] = 0.86
    elif case == "paper texture":  # highlights near white but not exactly white
        gray = np.clip(0.97 + rng.normal(0, 0.02, (40, 200)), 0, 0.999).astype(np.float32)
        gray[15:25, 20:180:7] = 0.2
    elif case == "light paper, no fill":
        gray[:] = 0.8
        gray[15:25, 20:180:7] = 0.2
    else:
        gray[:] = 0.05
        gray[15:25, 20:180:4] = 1.0
    assert refill_white_mask(gray) is gray


def test_straighten_levels_a_slanted_line_and_keeps_columns():
    ink = to_ink(_banded_crop())
    out = straighten(ink)
    assert out.shape[1] == ink.shape[1] and out.shape[0] > ink.shape[0]
    assert np.allclose(out.sum(axis=0), ink.sum(axis=0), atol=1e-3)  # columns only move up or down
    rows = np.arange(out.shape[0])[:, None]
    centres = ((out > 0.25) * rows).sum(0) / np.maximum((out > 0.25).sum(0), 1)
    drawn = (out > 0.25).any(0)
    assert np.ptp(centres[drawn]) <= 3  # was 24 rows from one end to the other (the ends keep a little slope)
    assert np.ptp(centres[drawn][20:-20]) <= 1
    y0, y1, _, _ = ink_box(out)
    assert y1 - y0 < 0.5 * (ink_box(ink)[1] - ink_box(ink)[0])  # the crop is the band, not the whole diagonal
    level = np.zeros((40, 200), np.float32)
    level[15:25, 10:190:5] = 1.0
    assert straighten(level) is level  # a level line is left as it is
    letters = np.zeros((40, 400), np.float32)  # level too, but its centre follows capitals and descenders
    for i, x0 in enumerate(range(10, 390, 6)):
        letters[(8 if i % 5 == 0 else 15):(32 if i % 7 == 3 else 25), x0:x0 + 2] = 1.0
    assert straighten(letters) is letters
    word = ink[:, :200]  # 5 line heights of ink: a word or two, whose centre follows its letters
    assert straighten(word) is word and straighten(word, min_span=4).shape[0] > word.shape[0]
    assert straighten(np.zeros((8, 8), np.float32)).shape == (8, 8)  # no ink: nothing to level


def test_a_slanted_line_is_read_at_its_own_height(fe):
    # Scaled to the line height as it was, the band's strokes were a few pixels tall; straightened, the
    # features hold the band at full height. Turned off by config, the old features come back.
    ink = to_ink(_banded_crop())
    flat = LineImageFrontend(LineImageConfig(straighten=False))
    assert fe.featurize(torch.from_numpy(ink)).data.shape[-1] > 2 * flat.featurize(torch.from_numpy(ink)).data.shape[-1]
    assert np.array_equal(flat.featurize(torch.from_numpy(ink)).data[0].numpy(),
                          line_features(ink, {**fe.config_dict(), "straighten": False}).data[0])
    old_bundle = {k: v for k, v in fe.config_dict().items() if k not in ("straighten", "refill_fill")}
    assert LineImageFrontend.from_config_dict(old_bundle).config == fe.config  # bundles from before: both on


def test_to_ink_of_a_blank_image_is_all_background():
    assert np.array_equal(to_ink(np.ones((10, 10), np.float32)), np.zeros((10, 10), np.float32))
    with pytest.raises(ValueError):
        to_ink(np.ones((2, 2), np.float32), "sideways")


# --- bad images ---------------------------------------------------------------
def _png(w: int, h: int, payload: bytes = b"") -> bytes:
    """A PNG with an IHDR of w x h (8-bit gray) and ``payload`` as its compressed data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(payload)) + chunk(b"IEND", b"")


def _encoded(fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(_line_u8()).save(buf, fmt, **kw)
    return buf.getvalue()


def _animated(fmt: str) -> bytes:
    frames = [Image.fromarray(_line_u8()), Image.fromarray(255 - _line_u8())]
    buf = io.BytesIO()
    kw = {"duration": 100, "loop": 0} if fmt != "TIFF" else {}
    frames[0].save(buf, fmt, save_all=True, append_images=frames[1:], **kw)
    return buf.getvalue()


BAD_FILES = {
    "empty.png": (b"", EmptyInputError, "empty"),
    "zero.png": (_png(0, 0), EmptyInputError, "0x0"),
    "zero_width.png": (_png(0, 5), EmptyInputError, "0x5"),
    "zero_width.gif": (b"GIF89a\x00\x00\x05\x00\x00\x00\x00;", EmptyInputError, "0x5"),
    "truncated.png": (_encoded("PNG")[:-40], CorruptInputError, "truncated"),
    "truncated.jpg": (_encoded("JPEG")[:200], CorruptInputError, "JPEG"),
    "broken_header.png": (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, CorruptInputError, "looks like PNG"),
    "bomb.png": (_png(100_000, 100_000), UnsupportedFormatError, "decompression bomb"),
    "bomb_warning.png": (_png(10_000, 10_000), UnsupportedFormatError, "decompression bomb"),
    "too_large.png": (_png(8_000, 5_000), UnsupportedFormatError, "max_pixels"),
    "animated.gif": (_animated("GIF"), UnsupportedFormatError, "frames"),
    "animated.webp": (_animated("WEBP"), UnsupportedFormatError, "frames"),
    "animated.png": (_animated("PNG"), UnsupportedFormatError, "frames"),
    "pages.tif": (_animated("TIFF"), UnsupportedFormatError, "frames"),
    "notes.png": (b"this is a text file, not an image\n", UnsupportedFormatError, "not an image"),
    "audio.jpg": (b"RIFF\x24\x08\x00\x00WAVEfmt " + b"\x00" * 40, UnsupportedFormatError, "not an image"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_image_files_raise_errors_naming_the_file(tmp_path, fe, name):
    data, error, words = BAD_FILES[name]
    path = tmp_path / name
    path.write_bytes(data)
    start = time.monotonic()
    with pytest.raises(error) as info:
        fe.load(path)
    assert time.monotonic() - start < 5, "must fail fast, never hang"
    msg = str(info.value)
    assert str(path) in msg and words in msg, msg
    if name != "empty.png":  # the same checks hold for the bytes themselves
        with pytest.raises(error):
            fe.load(data)


def test_missing_paths_and_folders(tmp_path, fe):
    with pytest.raises(InputNotFoundError, match="nope.png"):
        fe.load(tmp_path / "nope.png")
    with pytest.raises(InputNotFoundError, match="not a regular file"):
        fe.load(str(tmp_path))


def test_empty_in_memory_images(fe):
    with pytest.raises(EmptyInputError, match="0x5"):
        fe.load(Image.new("L", (0, 5)))
    with pytest.raises(EmptyInputError):
        fe.load(np.zeros((5, 0), np.uint8))
    with pytest.raises(EmptyInputError):
        fe.load(torch.zeros(3, 0, 4))


def test_pixel_limit_is_configurable(fe):
    small = LineImageFrontend(LineImageConfig(max_pixels=1000))
    with pytest.raises(UnsupportedFormatError, match="3072 pixels"):
        small.load(_line_u8())
    assert fe.load(_line_u8()).shape == (H, W)


# --- sniffing and what it accepts --------------------------------------------
def test_sniff_magic_bytes():
    formats = {"PNG": "PNG", "JPEG": "JPEG", "TIFF": "TIFF", "BMP": "BMP", "WEBP": "WEBP", "GIF": "GIF"}
    for fmt, name in formats.items():
        head = _encoded(fmt)[:64]
        assert sniff_image(head) == name
        assert LineImageFrontend.sniff(head)
    assert sniff_image(b"MM\x00*\x00\x00\x00\x08") == "TIFF"  # big-endian TIFF
    for other in (b"RIFF\x24\x08\x00\x00WAVEfmt ", b"fLaC\x00\x00", b"ID3\x04", b"OggS", b"hello", b"BMxx", b""):
        assert not LineImageFrontend.sniff(other), other


def test_accepts_paths_and_objects(tmp_path):
    png = tmp_path / "x.png"
    png.write_bytes(_encoded("PNG"))
    fake = tmp_path / "y.jpg"
    fake.write_bytes(b"hello")
    wav = tmp_path / "z.wav"
    wav.write_bytes(b"RIFF\x24\x08\x00\x00WAVEfmt ")
    assert LineImageFrontend.accepts_path(png, png.read_bytes()[:64]) == 2
    assert LineImageFrontend.accepts_path(fake, b"hello") == 1  # suffix only
    assert LineImageFrontend.accepts_path(wav, wav.read_bytes()) == 0
    assert {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp", ".gif"} <= set(LineImageFrontend.suffixes)
    yes = [Image.new("L", (3, 3)), _encoded("PNG"), _line_u8(), np.zeros((H, W, 3)), torch.zeros(H, W), torch.zeros(3, H, W)]
    no = ["x.png", b"\x89PNG", np.zeros(16000), np.zeros((2, 16000)), torch.zeros(1, 16000), np.zeros((H, W, 7)), 3]
    assert all(LineImageFrontend.accepts_object(o) for o in yes)
    assert not any(LineImageFrontend.accepts_object(o) for o in no)


# --- features -----------------------------------------------------------------
def test_featurize_scales_to_line_height(fe):
    uncropped = LineImageFrontend(LineImageConfig(crop=False))
    raw = uncropped.load(_line_u8())
    ft = uncropped.featurize(raw)
    assert isinstance(ft, Features) and ft.unit == "px" and ft.offset == 0.0
    assert ft.data.shape == (1, 48, W * 48 // H) and ft.data.dtype == torch.float32
    assert ft.frame_step == pytest.approx(H / 48)  # original pixels per column
    assert uncropped.length_hint(raw) == pytest.approx(W * 48 / H)
    assert uncropped.in_features == 48
    # cropping keeps a margin around the ink and records where the crop starts
    cropped = fe.featurize(fe.load(_line_u8()))
    box = ink_box(fe.load(_line_u8()).numpy(), margin=0.1)
    assert box == (4, 28, 8, 88)  # ink rows 6..25 and columns 10..85, 2-pixel margin
    assert cropped.offset == 8.0
    assert cropped.data.shape == (1, 48, round(80 * 48 / 24))
    assert cropped.frame_step == pytest.approx(80 / 160)
    assert float(cropped.data[0, :, 0].max()) < 0.05  # margin is background


def test_frontend_and_torch_free_reader_give_the_same_features(fe, tmp_path):
    """One geometry: the ONNX runtime's reader and the PyTorch frontend make identical feature maps."""
    from recog_image.reader import ImageReader

    rng = np.random.default_rng(0)
    banded = (_banded_crop() * 255).round().astype(np.uint8)  # refilled and straightened on both paths
    for i, img in enumerate([_line_u8(), (rng.random((37, 503)) * 255).astype(np.uint8), _line_u8()[:, :40], banded]):
        path = tmp_path / f"line{i}.png"
        Image.fromarray(img).save(path)
        for cfg in (LineImageConfig(), LineImageConfig(crop=False, max_width=64)):
            ft = LineImageFrontend(cfg).featurize(LineImageFrontend(cfg).load(path))
            (piece,) = ImageReader(LineImageFrontend(cfg).config_dict()).pieces(path, "features")
            assert np.array_equal(piece.data, ft.data.numpy())
            assert piece.start == ft.offset and piece.frame_step == pytest.approx(ft.frame_step)


def test_max_width_squeezes_long_lines():
    fe = LineImageFrontend(LineImageConfig(crop=False, max_width=100))
    raw = torch.rand(10, 1000)
    ft = fe.featurize(raw)
    assert ft.data.shape == (1, 48, 100)
    assert ft.frame_step == pytest.approx(10.0)
    assert fe.length_hint(raw) == 100.0


def test_resize_to_height_antialiases():
    stripes = np.zeros((96, 96), np.float32)
    stripes[:, ::2] = 1.0  # 1-pixel stripes alias badly without antialiasing
    small = resize_to_height(stripes, 32)  # by 3: plain bilinear would give stripes of 0 and 1
    assert small.shape == (32, 32)
    inner = small[:, 1:-1]  # the edge columns see zero padding
    assert np.allclose(inner, 0.5, atol=0.06)


def test_featurize_rejects_non_ink_maps(fe):
    with pytest.raises(TypeError, match="ink map"):
        fe.featurize(np.zeros((4, 4)))


# --- augmentation ------------------------------------------------------------
def test_augmentation_is_deterministic_for_a_seed(fe):
    raw = fe.load(_line_u8())
    before = torch.random.get_rng_state()

    def run(seed: int) -> torch.Tensor:
        return fe.featurize(raw, augment=True, generator=torch.Generator().manual_seed(seed)).data

    a, b, c = run(7), run(7), run(8)
    assert torch.equal(a, b)
    assert a.shape[:2] == (1, 48) and (a.shape != c.shape or not torch.allclose(a, c))
    assert torch.equal(torch.random.get_rng_state(), before), "augmentation must not touch the global RNG"
    assert 0.0 <= float(a.min()) and float(a.max()) <= 1.0
    plain = fe.featurize(raw).data
    assert abs(a.shape[-1] - plain.shape[-1]) <= 0.15 * plain.shape[-1] + 2 * (0.35 * 48 / 2 + 1) + 1
    assert float((a > 0.5).float().mean()) > 0.05  # the ink survives


def test_augmentation_off_by_config_is_identity_up_to_padding(fe):
    off = LineAugmentConfig(stretch=0, scale=0, translate=0, rotate=0, shear=0, elastic=0, blur=0, stroke=0, contrast=0, brightness=0, noise=0)
    quiet = LineImageFrontend(LineImageConfig(augment=off))
    raw = quiet.load(_line_u8())
    plain = quiet.featurize(raw).data
    aug = quiet.featurize(raw, augment=True, generator=torch.Generator().manual_seed(0)).data
    assert aug.shape == plain.shape[:2] + (plain.shape[2] + 2,)  # one padding column each side
    assert torch.allclose(aug[..., 1:-1], plain, atol=1e-5)


# --- config and registration ------------------------------------------------
def test_config_round_trips_through_json():
    cfg = LineImageConfig(line_height=32, polarity="light-on-dark", augment=LineAugmentConfig(shear=0.1))
    d = json.loads(json.dumps(cfg.to_dict()))
    assert d["augment"]["shear"] == 0.1
    back = LineImageConfig.from_dict(d)
    assert back == cfg and isinstance(back.augment, LineAugmentConfig)
    fe = LineImageFrontend.from_config_dict(d)
    assert fe.in_features == 32
    with pytest.raises(ConfigError, match="nope"):
        LineImageConfig.from_dict({"nope": 1})
    with pytest.raises(ConfigError, match="nope"):
        LineImageConfig.from_dict({"augment": {"nope": 1}})
    with pytest.raises(ConfigError, match="polarity"):
        LineImageConfig(polarity="upside-down")
    with pytest.raises(ConfigError, match="line_height"):
        LineImageConfig(line_height=0)


def test_registered_through_the_entry_point():
    cls = get_host().frontend("image")
    assert cls is LineImageFrontend
    assert (cls.name, cls.unit, cls.default_model) == ("image", "px", "handwriting")
    assert "render" in get_host().commands()


def test_real_dhsd_image(fe, shared_data):
    dhsd = shared_data / "dhsd"
    if not (dhsd / "all.jsonl").is_file():
        pytest.skip(f"DHSD not found at {dhsd}")
    item = json.loads((dhsd / "all.jsonl").read_text(encoding="utf-8").splitlines()[0])
    path = dhsd / item["path"]
    raw = fe.load(path)
    with Image.open(path) as im:
        assert raw.shape == (im.height, im.width)
    assert float(raw.median()) == 0.0  # the paper is background
    assert 0.02 < float(raw.mean()) < 0.4  # some ink, mostly paper
    ft = fe.featurize(raw)
    assert ft.data.shape[:2] == (1, 48) and ft.data.shape[-1] > 48
    assert fe.features(Path(path).read_bytes()).data.shape == ft.data.shape
