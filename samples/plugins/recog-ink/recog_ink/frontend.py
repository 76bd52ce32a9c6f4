"""Pen strokes -> a rendered line image -> the image frontend's features ``(1, F, W)``.

Shapes: N points per stroke, H x W the rendered image.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image, ImageDraw

from recog import ConfigError, CorruptInputError, EmptyInputError, Features, Frontend, FrontendConfig
from recog.frontend import read_head
from recog.plugins import get_host

__all__ = ["InkConfig", "InkFrontend", "render_strokes"]

MAX_POINTS = 1_000_000  # a larger drawing is refused


@dataclass(frozen=True)
class InkConfig(FrontendConfig):
    """How strokes are drawn, and the image frontend that reads the drawing."""

    ink_height: int = 48  # pixels the drawing's height is scaled to
    margin: int = 8  # pixels of paper around it
    pen_width: float = 0.06  # stroke width as a share of ink_height
    image_frontend: str = "image"  # registered frontend that featurizes the rendered line
    image: dict = field(default_factory=dict)  # its config ({}: its defaults)

    def __post_init__(self) -> None:
        if self.ink_height < 8 or self.margin < 0 or not 0 < self.pen_width < 1:
            raise ConfigError("InkConfig: need ink_height >= 8, margin >= 0 and 0 < pen_width < 1")


def render_strokes(strokes: list[np.ndarray], cfg: InkConfig) -> np.ndarray:
    """Strokes (each ``(N, 2)`` x, y) -> a grayscale line image ``(H, W)`` uint8, dark ink on white."""
    pts = np.concatenate(strokes)  # (sum N, 2)
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    scale = cfg.ink_height / max(float(hi[1] - lo[1]), 1e-9) if hi[1] > lo[1] else 1.0
    width = int(math.ceil((hi[0] - lo[0]) * scale)) + 2 * cfg.margin + 1
    height = int(math.ceil((hi[1] - lo[1]) * scale)) + 2 * cfg.margin + 1
    im = Image.new("L", (max(width, 9), max(height, 9)), 255)
    draw = ImageDraw.Draw(im)
    pen = max(1, round(cfg.pen_width * cfg.ink_height))
    for s in strokes:
        xy = [(float((x - lo[0]) * scale + cfg.margin), float((y - lo[1]) * scale + cfg.margin)) for x, y in s]
        if len(xy) == 1:
            x, y = xy[0]
            draw.ellipse((x - pen / 2, y - pen / 2, x + pen / 2, y + pen / 2), fill=0)
        else:
            draw.line(xy, fill=0, width=pen, joint="curve")
    return np.asarray(im)


def _strokes(doc: Any, source: Any) -> list[np.ndarray]:
    """Checked strokes of a parsed document; errors name the source."""
    if not isinstance(doc, dict) or not isinstance(doc.get("strokes"), list):
        raise CorruptInputError(source, 'expected a JSON object {"strokes": [[[x, y], ...], ...]}')
    out, total = [], 0
    for k, s in enumerate(doc["strokes"]):
        try:
            a = np.asarray(s, dtype=np.float64)
        except (TypeError, ValueError):
            raise CorruptInputError(source, f"stroke {k} is not a list of [x, y] numbers") from None
        if a.ndim != 2 or a.shape[1] != 2 or a.shape[0] == 0:
            raise CorruptInputError(source, f"stroke {k} is not a list of [x, y] points")
        if not np.isfinite(a).all():
            raise CorruptInputError(source, f"stroke {k} has a point that is not a finite number")
        total += a.shape[0]
        out.append(a)
    if not out:
        raise EmptyInputError(source, "no strokes")
    if total > MAX_POINTS:
        raise CorruptInputError(source, f"{total:,} points; the limit is {MAX_POINTS:,}")
    return out


class InkFrontend(Frontend):
    """Online handwriting: ``.ink`` files (JSON strokes) or ``{"strokes": ...}`` dicts, drawn and read as a line."""

    name = "ink"
    config_class = InkConfig
    suffixes = (".ink",)
    unit = "px"  # positions along the rendered line
    default_model = "handwriting"
    feeds = "image"  # it produces the image frontend's features, so image models read it

    def __init__(self, config: InkConfig | None = None) -> None:
        super().__init__(config)
        self._image: Frontend | None = None

    @classmethod
    def sniff(cls, head: bytes) -> bool:
        return head.lstrip().startswith(b"{") and b'"strokes"' in head

    @classmethod
    def accepts_object(cls, obj: Any) -> bool:
        if isinstance(obj, dict):
            return "strokes" in obj
        return isinstance(obj, (str, Path)) and Path(obj).suffix.lower() in cls.suffixes

    @classmethod
    def feeding(cls, inner: Frontend) -> InkFrontend:
        """Draw strokes into ``inner``'s features (a handwriting model's own image frontend)."""
        return cls(InkConfig(image_frontend=inner.name, image=inner.config_dict()))

    @property
    def image_frontend(self) -> Frontend:
        if self._image is None:
            cls = get_host().frontend(self.config.image_frontend)
            self._image = cls.from_config_dict(self.config.image)
        return self._image

    @property
    def in_features(self) -> int:
        return self.image_frontend.in_features

    def load(self, source: Any) -> torch.Tensor:
        """Strokes -> the image frontend's raw signal (its ink map ``(H, W)``)."""
        if isinstance(source, dict):
            doc = source
        else:
            read_head(source)  # InputNotFoundError naming a missing file
            try:
                doc = json.loads(Path(source).read_text(encoding="utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as e:
                raise CorruptInputError(source, f"not JSON ink ({e})") from None
        return self.image_frontend.load(render_strokes(_strokes(doc, source), self.config))

    def featurize(self, raw: Any, *, augment: bool = False, generator: torch.Generator | None = None) -> Features:
        return self.image_frontend.featurize(raw, augment=augment, generator=generator)

    def length_hint(self, raw: Any) -> float:
        return self.image_frontend.length_hint(raw)
