"""Synthetic handwriting: words and short lines rendered with handwriting fonts, for training data.

Each image is a grayscale PNG ``(H, W)`` (H height, W width in pixels; dark ink on light paper)
with per-character jitter, a wobbling baseline, slant, random ink and paper levels, blur and noise.
Text comes from a :class:`TextSampler` (word n-grams of a corpus, German place names, numbers).
Text a font has no glyph for is never rendered with that font: it is skipped and counted.
Everything is seeded: the same seed, fonts and texts give the same images.
"""

from __future__ import annotations

import json
import math
import random
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageOps

from recog.errors import ConfigError, DataError, TextError

from .fonts import HandwritingFont
from .placenames import PLACE_NAMES

__all__ = ["SynthConfig", "TextSampler", "RenderReport", "render_text", "render_dataset", "fit_text"]


@dataclass(frozen=True)
class SynthConfig:
    """Ranges the renderer draws from uniformly, per image."""

    x_height: tuple[int, int] = (12, 20)  # pixels from baseline to the top of an "x" (font size follows)
    ink: tuple[int, int] = (0, 90)  # ink gray level (0 = black)
    paper: tuple[int, int] = (200, 255)  # background gray level (255 = white)
    pad: tuple[int, int] = (2, 14)  # pixels of paper around the ink, drawn per side
    spacing: tuple[float, float] = (-0.5, 1.5)  # extra pixels between characters
    jitter: float = 1.0  # std of each character's vertical offset, pixels
    wobble: float = 2.0  # amplitude of the baseline's slow sine wave, pixels
    slant: float = 0.3  # |horizontal shear| (tan of the slant angle)
    blur: float = 0.7  # Gaussian blur radius, pixels
    noise: float = 6.0  # std of the paper noise, gray levels

    def __post_init__(self) -> None:
        for name in ("x_height", "ink", "paper", "pad", "spacing"):
            lo, hi = getattr(self, name)
            if lo > hi:
                raise ConfigError(f"SynthConfig.{name} must be (low, high), got {(lo, hi)}")


def render_text(text: str, font: HandwritingFont, rng: random.Random, cfg: SynthConfig = SynthConfig()) -> Image.Image:
    """Render ``text`` with ``font`` to a grayscale ("L") PIL image ``(H, W)``, dark ink on light paper.

    Raises:
        TextError: ``text`` is empty or has characters ``font`` has no glyph for.
    """
    text = unicodedata.normalize("NFC", text)
    if not text.strip():
        raise TextError(f"font:{font.id}", "empty text")
    missing = font.missing(text)
    if missing:
        raise TextError(f"font:{font.id}", f"no glyph for {''.join(sorted(missing))!r} in {text!r}")
    f = font.load(max(6, round(rng.randint(*cfg.x_height) / max(font.x_ratio, 0.1))))
    ink, paper = rng.randint(*cfg.ink), rng.randint(*cfg.paper)
    ascent, descent = f.getmetrics()
    amp, period, phase = rng.uniform(0, cfg.wobble), rng.uniform(80, 320), rng.uniform(0, 2 * math.pi)
    # place each character: x along the pen's advance (kerning kept), y on a wobbling baseline
    placed, x, x_extra = [], 0.0, 0.0
    for i, ch in enumerate(text):
        x = f.getlength(text[:i]) + x_extra
        y = amp * math.sin(2 * math.pi * x / period + phase) + rng.gauss(0, cfg.jitter)
        placed.append((ch, x, y))
        x_extra += rng.uniform(*cfg.spacing)
    width = f.getlength(text) + x_extra
    slant = rng.uniform(-cfg.slant, cfg.slant)
    margin = int(abs(slant) * (ascent + descent) + 4 * (amp + 3 * cfg.jitter) + ascent)  # room for swashes and shear
    h = ascent + descent + 2 * margin
    im = Image.new("L", (int(width) + 2 * margin, h), 255)
    draw = ImageDraw.Draw(im)
    base = margin + ascent
    for ch, cx, cy in placed:
        draw.text((margin + cx, base + cy), ch, font=f, fill=0, anchor="ls")
    # slant about the baseline: input x = x + slant * (y - base)
    im = im.transform(im.size, Image.Transform.AFFINE, (1, slant, -slant * base, 0, 1, 0), Image.Resampling.BILINEAR, fillcolor=255)
    box = ImageOps.invert(im).getbbox()
    if box is None:
        raise TextError(f"font:{font.id}", f"{text!r} rendered no ink")
    l, t, r, b = box
    pads = [rng.randint(*cfg.pad) for _ in range(4)]
    canvas = Image.new("L", (r - l + pads[0] + pads[2], b - t + pads[1] + pads[3]), 255)
    canvas.paste(im.crop(box), (pads[0], pads[1]))
    if cfg.blur > 0:
        canvas = canvas.filter(ImageFilter.GaussianBlur(rng.uniform(0, cfg.blur)))
    # map white -> paper and black -> ink, then paper noise
    a = np.asarray(canvas, dtype=np.float32) / 255.0  # (H, W), 1 = paper
    a = ink + (paper - ink) * a
    noise = np.random.default_rng(rng.getrandbits(64)).normal(0.0, rng.uniform(0, cfg.noise), a.shape)
    return Image.fromarray(np.clip(a + noise, 0, 255).round().astype(np.uint8), mode="L")


def fit_text(text: str, font: HandwritingFont) -> str:
    """``text`` as ``font`` writes it: NFC, upper-cased for caps-only fonts (whose labels must match)."""
    text = unicodedata.normalize("NFC", text)
    return text.upper() if font.caps_only else text


class TextSampler:
    """Draws short texts: word n-grams (1 to ``max_words``) of corpus lines, place names, or numbers.

    Args:
        corpus: lines of running text (one sentence a line).
        places: names to draw (German towns and streets by default).
        corpus_p, places_p: probabilities of a corpus n-gram and of a place name; the rest are numbers.
            Without a corpus its share goes to the others in proportion.
        max_words: longest n-gram.
    """

    def __init__(
        self,
        corpus: Iterable[str] = (),
        places: Sequence[str] = PLACE_NAMES,
        *,
        corpus_p: float = 0.45,
        places_p: float = 0.35,
        max_words: int = 4,
    ) -> None:
        self.lines = [ws for ws in (unicodedata.normalize("NFC", line).split() for line in corpus) if ws]
        self.places = list(places)
        self.max_words = max_words
        numbers_p = max(0.0, 1.0 - corpus_p - places_p)
        if not self.lines:
            corpus_p = 0.0
        if not self.places:
            places_p = 0.0
        total = corpus_p + places_p + numbers_p
        if total <= 0:
            raise ConfigError("TextSampler has nothing to draw: no corpus, no places and no numbers")
        self.corpus_p, self.places_p = corpus_p / total, places_p / total

    @classmethod
    def from_files(cls, paths: Iterable[str | Path], **kwargs) -> TextSampler:
        """A sampler over the lines of text files (UTF-8)."""
        lines: list[str] = []
        for p in paths:
            try:
                lines += Path(p).read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError) as e:
                raise DataError(f"{p}: cannot read text corpus: {e}") from e
        return cls(lines, **kwargs)

    def __call__(self, rng: random.Random) -> str:
        r = rng.random()
        if r < self.corpus_p:
            words = rng.choice(self.lines)
            n = rng.randint(1, min(self.max_words, len(words)))
            i = rng.randrange(len(words) - n + 1)
            return " ".join(words[i : i + n])
        if r < self.corpus_p + self.places_p:
            name = rng.choice(self.places)
            k = rng.random()
            if k < 0.15:
                return f"{name} {rng.randint(1, 199)}{rng.choice(['', '', '', 'a', 'b'])}"  # street and house number
            if k < 0.25:
                return f"{rng.randint(1000, 99999):05d} {name}"
            return name
        return random_number(rng)


def random_number(rng: random.Random) -> str:
    """A number as people write them: integers, years, prices, dates, times, phone numbers, percentages."""
    kind = rng.randrange(9)
    if kind == 0:
        return str(rng.randint(0, 9999))
    if kind == 1:
        return str(rng.randint(1900, 2039))
    if kind == 2:
        return f"{rng.randint(0, 999)},{rng.randint(0, 99):02d}" + rng.choice(["", " €", " EUR"])
    if kind == 3:
        return f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.{rng.randint(1950, 2030)}"
    if kind == 4:
        return f"{rng.randint(0, 23)}:{rng.randint(0, 59):02d}" + rng.choice(["", " Uhr"])
    if kind == 5:
        return f"0{rng.randint(30, 999)} {rng.randint(1000, 9999999)}"
    if kind == 6:
        return f"{rng.randint(1, 100)} %" if rng.random() < 0.5 else f"{rng.randint(1, 100)}%"
    if kind == 7:
        return f"{rng.randint(1, 50)}.{rng.choice(['', ' ' + rng.choice(['Mai', 'Juni', 'März', 'Oktober'])])}"
    return f"{rng.randint(1, 99)}{rng.choice(['-', '/', '.', ' - '])}{rng.randint(1, 999)}"


@dataclass
class RenderReport:
    """What :func:`render_dataset` wrote and what it skipped."""

    manifest: Path
    written: int
    per_font: Counter = field(default_factory=Counter)  # font id -> images written
    skipped: int = 0  # (text, font) draws skipped for missing glyphs
    missing: Counter = field(default_factory=Counter)  # character -> times it was missing


def render_dataset(
    out: str | Path,
    count: int,
    fonts: Sequence[HandwritingFont],
    sampler: Callable[[random.Random], str],
    *,
    seed: int = 0,
    cfg: SynthConfig = SynthConfig(),
    manifest_name: str = "all.jsonl",
    max_tries: int = 100,
    progress: Callable[[int, int, dict], None] | None = None,
) -> RenderReport:
    """Render ``count`` images to ``out/images/NNNNNN.png`` and a manifest ``out/<manifest_name>``.

    Manifest lines are ``{"path": "images/000000.png", "text": ..., "writer": "font:<id>"}``, paths
    relative to the manifest's folder. Item ``i`` depends only on (seed, i, fonts, sampler), so
    runs with the same arguments write identical files. ``progress(done, count, {})`` is called per image.

    Raises:
        ConfigError: no fonts or a count below 1.
        DataError: no text drawn in ``max_tries`` could be rendered by the drawn fonts.
    """
    if not fonts:
        raise ConfigError("no fonts to render with (install them with .ci/fonts.sh, or check --fonts/--exclude-fonts)")
    if count < 1:
        raise ConfigError(f"count must be at least 1, got {count}")
    out = Path(out)
    (out / "images").mkdir(parents=True, exist_ok=True)
    report = RenderReport(out / manifest_name, 0)
    with open(report.manifest, "w", encoding="utf-8") as mf:
        for i in range(count):
            rng = random.Random(f"recog-render:{seed}:{i}")
            for _ in range(max_tries):
                font = rng.choice(fonts)
                text = re.sub(r"\s+", " ", fit_text(sampler(rng), font)).strip()
                missing = font.missing(text)
                if text and not missing:
                    break
                report.skipped += 1
                report.missing.update(missing)
            else:
                raise DataError(
                    f"no text drawn in {max_tries} tries could be rendered by the fonts; "
                    f"missing glyphs: {''.join(c for c, _ in report.missing.most_common(20))!r}"
                )
            rel = f"images/{i:06d}.png"
            render_text(text, font, rng, cfg).save(out / rel, optimize=False)
            mf.write(json.dumps({"path": rel, "text": text, "writer": f"font:{font.id}"}, ensure_ascii=False) + "\n")
            report.written += 1
            report.per_font[font.id] += 1
            if progress is not None:
                progress(i + 1, count, {})
    return report
