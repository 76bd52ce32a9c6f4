"""Handwriting-style fonts: finding them on the system and checking which characters they really have.

Fonts come from the Debian packages that ``.ci/fonts.sh`` installs; each gets a stable id (its file
name, lower case, without suffix: ``kristi``, ``dkgbi``, ``comicneue-bold``) so that evaluation can
hold fonts out of training by name or glob (``comicneue-*``).
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

__all__ = ["HANDWRITING_FONT_DIRS", "HANDWRITING_FONT_FILES", "HELD_OUT_FONTS", "FONT_DIRS", "HandwritingFont", "find_fonts", "select_fonts", "missing_glyphs"]

# folders (under a font directory) of the handwriting packages in .ci/fonts.sh
HANDWRITING_FONT_DIRS = frozenset(
    {
        "bwht", "breip", "comic-neue", "dancingscript", "ecolier-court", "femkeklaver", "fifthhorseman",
        "gnutypewriter", "havana", "humor-sans", "isabella", "joscelyn", "kaushanscript", "klee", "kristi",
        "leckerli-one", "levien", "lobster", "rufscript", "sjfonts", "tomsontalks",
    }
)  # fmt: skip
# single files taken from packages whose other fonts are book faces (fonts-urw-base35: Z003, a chancery script)
HANDWRITING_FONT_FILES = frozenset({"Z003-MediumItalic"})

# font ids the project keeps out of training: the held-out-fonts test set (bench/handwriting.py) is rendered in them
HELD_OUT_FONTS = ("kristi", "stevehand", "kaushanscript-regular", "becausewementor-regular", "joscelyn-regular")
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts")
_SUFFIXES = (".ttf", ".otf")
_NOTDEF_PROBE = "\uffff"  # a noncharacter: no font maps it, so it renders as .notdef


@dataclass(frozen=True)
class HandwritingFont:
    """One font file and its stable id."""

    id: str  # stable name for hold-out, e.g. "kristi"
    path: Path
    _cache: dict = field(default_factory=dict, repr=False, compare=False, hash=False)  # char -> has glyph; "notdef", "x", "caps"

    def load(self, size: int) -> ImageFont.FreeTypeFont:
        """The font at ``size`` pixels (basic layout, the same on every machine)."""
        return _load(str(self.path), size)

    def has_glyph(self, ch: str) -> bool:
        """True if the font draws ``ch`` with a glyph of its own (not .notdef, not blank unless whitespace)."""
        if ch not in self._cache:
            font = self.load(_PROBE_SIZE)
            if "notdef" not in self._cache:
                self._cache["notdef"] = _signature(font, _NOTDEF_PROBE)
            self._cache[ch] = _has_glyph(font, ch, self._cache["notdef"])
        return self._cache[ch]

    def missing(self, text: str) -> set[str]:
        """The characters of ``text`` this font has no glyph for."""
        return {c for c in set(text) if not self.has_glyph(c)}

    @property
    def x_ratio(self) -> float:
        """Height of "o" (else "n", "x", "X") per pixel of font size, to draw every font at a like size."""
        if "x" not in self._cache:
            probe = next((c for c in "onxX" if self.has_glyph(c)), None)
            f = self.load(100)
            self._cache["x"] = (f.getbbox(probe)[3] - f.getbbox(probe)[1]) / 100 if probe else 0.5
        return self._cache["x"]

    @property
    def caps_only(self) -> bool:
        """True for fonts whose lower-case letters are upper-case shapes (text must be upper-cased for them)."""
        if "caps" not in self._cache:
            pairs = [c for c in "abdeghnqrt" if self.has_glyph(c) and self.has_glyph(c.upper())]
            self._cache["caps"] = len(pairs) >= 5 and _caps_only(self.load(64), pairs)
        return self._cache["caps"]


_PROBE_SIZE = 32


@lru_cache(maxsize=256)
def _load(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size, layout_engine=ImageFont.Layout.BASIC)


def _signature(font: ImageFont.FreeTypeFont, ch: str) -> tuple:
    """Advance, box and pixels of ``ch`` as rendered: identical for two characters that share a glyph."""
    l, t, r, b = font.getbbox(ch)
    im = Image.new("L", (max(1, r - l), max(1, b - t)))
    ImageDraw.Draw(im).text((-l, -t), ch, font=font, fill=255)
    return font.getlength(ch), (l, t, r, b), im.tobytes()


def _has_glyph(font: ImageFont.FreeTypeFont, ch: str, notdef: tuple) -> bool:
    if len(ch) != 1 or not ch.isprintable():
        return False
    if ch.isspace():
        return font.getlength(ch) > 0
    sig = _signature(font, ch)
    if sig == notdef:
        return False  # rendered as the .notdef box (or blank .notdef)
    return any(sig[2])  # a mapped but empty glyph is as good as missing


def _shape(font: ImageFont.FreeTypeFont, ch: str) -> np.ndarray:
    """``ch`` cropped to its ink and scaled to 24x24, as a boolean mask."""
    l, t, r, b = font.getbbox(ch)
    im = Image.new("L", (max(1, r - l), max(1, b - t)))
    ImageDraw.Draw(im).text((-l, -t), ch, font=font, fill=255)
    return np.asarray(im.resize((24, 24), Image.Resampling.BILINEAR)) > 80


def _caps_only(font: ImageFont.FreeTypeFont, letters: Iterable[str]) -> bool:
    """Lower- and upper-case shapes of letters that differ in ordinary fonts overlap (median IoU >= 0.55).

    Measured on the fonts of .ci/fonts.sh: ordinary fonts <= 0.48, caps-only ones (bwht, Humor Sans,
    Tomson Talks) >= 0.62.
    """
    ious = []
    for c in letters:
        lo, up = _shape(font, c), _shape(font, c.upper())
        ious.append((lo & up).sum() / max(1, (lo | up).sum()))
    return float(np.median(ious)) >= 0.55


def missing_glyphs(font: HandwritingFont, text: str) -> set[str]:
    """The characters of ``text`` that ``font`` has no glyph for."""
    return font.missing(text)


def find_fonts(dirs: Iterable[str | os.PathLike] | None = None, *, all_fonts: bool = False) -> list[HandwritingFont]:
    """Handwriting fonts found under ``dirs`` (default :data:`FONT_DIRS`), sorted by id.

    Args:
        dirs: folders searched recursively for .ttf/.otf files.
        all_fonts: take every font found, not only those in :data:`HANDWRITING_FONT_DIRS` folders
            and the :data:`HANDWRITING_FONT_FILES` (for folders of your own fonts).
    """
    paths: list[Path] = []
    seen: set[Path] = set()  # packages may link one file into several folders
    for d in dirs if dirs is not None else FONT_DIRS:
        root = Path(d).expanduser()
        if not root.is_dir():
            continue
        for p in sorted(root.rglob("*")):
            if p.suffix.lower() in _SUFFIXES and p.is_file() and p.resolve() not in seen:
                if (
                    all_fonts
                    or p.stem in HANDWRITING_FONT_FILES
                    or HANDWRITING_FONT_DIRS.intersection(p.relative_to(root).parts[:-1])
                ):
                    seen.add(p.resolve())
                    paths.append(p)
    fonts: dict[str, HandwritingFont] = {}
    for p in paths:
        fid = re.sub(r"[^a-z0-9]+", "-", p.stem.lower()).strip("-")
        if fid in fonts:  # the same file name in two folders
            fid = f"{re.sub(r'[^a-z0-9]+', '-', p.parent.name.lower())}-{fid}"
        if fid not in fonts:
            fonts[fid] = HandwritingFont(fid, p)
    return [fonts[k] for k in sorted(fonts)]


def select_fonts(
    fonts: Sequence[HandwritingFont], include: Sequence[str] | None = None, exclude: Sequence[str] | None = None
) -> list[HandwritingFont]:
    """Fonts whose id matches any ``include`` pattern (all if None) and no ``exclude`` pattern (fnmatch globs)."""

    def hit(f: HandwritingFont, patterns: Sequence[str]) -> bool:
        return any(fnmatch.fnmatchcase(f.id, p.lower()) for p in patterns)

    return [f for f in fonts if (include is None or hit(f, include)) and not (exclude and hit(f, exclude))]
