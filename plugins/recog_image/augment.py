"""Training augmentation of line images, in torch ops and driven only by a ``torch.Generator``.

Input and output are ink maps ``(H, W)`` (1 = ink, 0 = background); H stays, W may change
(horizontal stretch, room for shear). The same generator state gives the same result.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields

import torch
import torch.nn.functional as F

from recog.errors import ConfigError

__all__ = ["LineAugmentConfig", "augment_line", "gaussian_blur", "stroke_width"]


@dataclass(frozen=True)
class LineAugmentConfig:
    """Ranges of the random line-image augmentation; each draw is uniform in its range, 0 disables it."""

    stretch: float = 0.15  # horizontal stretch factor in [1 - s, 1 + s] (changes W)
    scale: float = 0.08  # zoom factor in [1 - s, 1 + s] about the centre
    translate: float = 0.05  # vertical shift, fraction of H
    rotate: float = 1.5  # rotation in degrees (capped so the line's ends move at most 10% of H)
    shear: float = 0.35  # horizontal shear (tan of the slant angle)
    elastic: float = 1.0  # elastic displacement amplitude in pixels
    elastic_cell: int = 8  # pixels between the elastic field's random control points
    blur: float = 0.8  # Gaussian blur sigma in pixels
    blur_p: float = 0.3  # probability of blurring
    stroke: float = 1.0  # stroke width change: blend towards a 3x3 dilation (> 0) or erosion (< 0)
    stroke_p: float = 0.5  # probability of changing the stroke width
    contrast: float = 0.4  # ink level drawn in [1 - c, 1]
    brightness: float = 0.1  # background level drawn in [0, b]
    noise: float = 0.05  # std of additive Gaussian noise drawn in [0, n]

    @classmethod
    def from_dict(cls, d: dict) -> LineAugmentConfig:
        unknown = set(d) - {f.name for f in fields(cls)}
        if unknown:
            raise ConfigError(f"{cls.__name__} has no field(s) {sorted(unknown)}")
        return cls(**d)

    def to_dict(self) -> dict:
        return asdict(self)


def _u(g: torch.Generator | None, lo: float, hi: float) -> float:
    """One uniform draw in [lo, hi) from ``g``."""
    return lo + (hi - lo) * float(torch.rand((), generator=g))


def gaussian_blur(x: torch.Tensor, sigma: float) -> torch.Tensor:
    """Separable Gaussian blur of ``(B, 1, H, W)``; zero padding (background)."""
    if sigma <= 0:
        return x
    r = max(1, math.ceil(2 * sigma))
    k = torch.exp(-0.5 * (torch.arange(-r, r + 1, dtype=x.dtype) / sigma) ** 2)
    k = k / k.sum()
    x = F.conv2d(x, k.view(1, 1, 1, -1), padding=(0, r))
    return F.conv2d(x, k.view(1, 1, -1, 1), padding=(r, 0))


def stroke_width(x: torch.Tensor, amount: float) -> torch.Tensor:
    """Thicken (``amount`` > 0, 3x3 dilation) or thin (< 0, erosion) strokes of ``(B, 1, H, W)``, blended by |amount| <= 1."""
    if amount == 0:
        return x
    if amount > 0:
        target = F.max_pool2d(x, 3, stride=1, padding=1)
    else:
        target = -F.max_pool2d(-x, 3, stride=1, padding=1)
    return torch.lerp(x, target, min(abs(amount), 1.0))


def _warp(x: torch.Tensor, cfg: LineAugmentConfig, g: torch.Generator | None) -> torch.Tensor:
    """Affine (scale, shift, rotation, shear) plus elastic warp of ``(1, 1, H, W)`` via grid_sample."""
    _, _, h, w = x.shape
    s = _u(g, 1 - cfg.scale, 1 + cfg.scale)
    ty = _u(g, -cfg.translate, cfg.translate) * h
    max_rot = min(math.radians(cfg.rotate), math.atan(0.1 * h / max(w / 2, 1)))
    a = _u(g, -max_rot, max_rot)
    k = _u(g, -cfg.shear, cfg.shear)
    # output pixel (u, v) about the centre -> input pixel: rotate, shear x by y, then scale
    cos, sin = math.cos(a), math.sin(a)
    m = torch.tensor([[cos, -sin], [sin, cos]]) @ torch.tensor([[1.0, k], [0.0, 1.0]]) / s
    # pixels -> normalised [-1, 1] coordinates: x_n = x_p / (W / 2), y_n = y_p / (H / 2)
    to_n = torch.diag(torch.tensor([2.0 / w, 2.0 / h]))
    theta = torch.zeros(1, 2, 3)
    theta[0, :, :2] = to_n @ m @ torch.linalg.inv(to_n)
    theta[0, 1, 2] = 2.0 * ty / h
    grid = F.affine_grid(theta, [1, 1, h, w], align_corners=False)  # (1, H, W, 2) as (x, y)
    if cfg.elastic > 0:
        gh, gw = max(2, h // cfg.elastic_cell + 2), max(2, w // cfg.elastic_cell + 2)
        amp = _u(g, 0.0, cfg.elastic)
        d = torch.randn(1, 2, gh, gw, generator=g) * amp  # (1, 2, gh, gw) displacement in pixels
        d = F.interpolate(d, size=(h, w), mode="bicubic", align_corners=True)  # (1, 2, H, W)
        d = d.permute(0, 2, 3, 1) * torch.tensor([2.0 / w, 2.0 / h])  # (1, H, W, 2) normalised
        grid = grid + d
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


def augment_line(ink: torch.Tensor, cfg: LineAugmentConfig, generator: torch.Generator | None = None) -> torch.Tensor:
    """One random augmentation of an ink map ``(H, W)`` -> ``(H, W')``, deterministic given ``generator``'s state."""
    g = generator
    h, w = ink.shape
    x = ink[None, None].float()  # (1, 1, H, W)
    if cfg.stretch > 0:
        new_w = max(1, round(w * _u(g, 1 - cfg.stretch, 1 + cfg.stretch)))
        x = F.interpolate(x, size=(h, new_w), mode="bilinear", antialias=True, align_corners=False)
    pad = math.ceil(cfg.shear * h / 2) + 1  # room for slanted ends
    x = F.pad(x, (pad, pad))  # (1, 1, H, W' + 2 pad)
    if float(torch.rand((), generator=g)) < cfg.stroke_p:
        x = stroke_width(x, _u(g, -cfg.stroke, cfg.stroke))
    x = _warp(x, cfg, g)
    if float(torch.rand((), generator=g)) < cfg.blur_p:
        x = gaussian_blur(x, _u(g, 0.0, cfg.blur))
    ink_level = _u(g, 1 - cfg.contrast, 1.0)
    bg_level = _u(g, 0.0, cfg.brightness)
    x = bg_level + (ink_level - bg_level) * x.clamp(0.0, 1.0)
    sigma = _u(g, 0.0, cfg.noise)
    x = x + sigma * torch.randn(x.shape, generator=g)
    return x.clamp_(0.0, 1.0)[0, 0]  # (H, W')
