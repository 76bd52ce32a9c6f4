"""The handwriting frontend: a text-line image becomes a grayscale feature map ``(1, line_height, W)``.

H is an image's height and W its width in pixels. The raw signal of an image is its ink map
``(H, W)``: float32 in [0, 1], 1 = ink and 0 = background whatever the original polarity, so
zero padding of a batch is background.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch

from recog.errors import ConfigError
from recog.frontend import Features, FrontendConfig

from .augment import LineAugmentConfig, augment_line
from .io import read_gray, to_ink
from .kind import ImageInput
from .reader import line_features, resize_to_height
from .segment import refuse_pages

__all__ = ["LineImageConfig", "LineImageFrontend"]

_POLARITIES = ("auto", "dark-on-light", "light-on-dark")


@dataclass(frozen=True)
class LineImageConfig(FrontendConfig):
    """How a line image is read and scaled."""

    line_height: int = 48  # pixels: F, the feature rows the model sees
    max_width: int = 4096  # columns after scaling; wider lines are squeezed horizontally
    polarity: str = "auto"  # "auto" (detected per image), "dark-on-light" or "light-on-dark"
    normalize_contrast: bool = True  # stretch so background -> 0 and the strongest ink -> 1
    refill_fill: bool = True  # a pure-white polygon fill around the line gets the paper's level (refill_white_mask)
    straighten: bool = True  # level a slanted or curved line before cropping (reader.straighten)
    crop: bool = True  # crop to the ink's bounding box before scaling
    crop_threshold: float = 0.25  # a pixel is ink above this (for cropping)
    crop_margin: float = 0.1  # margin kept around the ink, fraction of the ink's height
    max_pixels: int = 1 << 25  # larger images are refused (decompression bombs)
    refuse_pages: bool = True  # an image with 3 or more text lines is refused (SeveralRegionsError: read it as a page)
    augment: LineAugmentConfig = field(default_factory=LineAugmentConfig)  # training augmentation ranges

    def __post_init__(self) -> None:
        if isinstance(self.augment, dict):  # from_dict / a bundle's JSON: the nested config comes as a dict
            object.__setattr__(self, "augment", LineAugmentConfig.from_dict(self.augment))
        if self.line_height < 8:
            raise ConfigError(f"line_height must be at least 8 pixels, got {self.line_height}")
        if self.max_width < 1:
            raise ConfigError(f"max_width must be positive, got {self.max_width}")
        if self.polarity not in _POLARITIES:
            raise ConfigError(f"polarity must be one of {_POLARITIES}, got {self.polarity!r}")
        if self.max_pixels < 1:
            raise ConfigError(f"max_pixels must be positive, got {self.max_pixels}")



class LineImageFrontend(ImageInput):
    """Images of one handwritten or printed text line (PNG, JPEG, TIFF, BMP, WebP, single-frame GIF)."""

    config_class = LineImageConfig
    config: LineImageConfig

    @property
    def in_features(self) -> int:
        return self.config.line_height

    def load(self, source: Any) -> torch.Tensor:
        """Decode ``source`` to its ink map ``(H, W)`` float32, 1 = ink, 0 = background.

        Raises:
            InputNotFoundError, UnsupportedFormatError, CorruptInputError, EmptyInputError naming the input.
        """
        gray = read_gray(source, max_pixels=self.config.max_pixels)  # (H, W), 1 = white
        if self.config.refuse_pages:
            refuse_pages(gray, source)
        return torch.from_numpy(to_ink(gray, self.config.polarity, self.config.normalize_contrast,
                                       self.config.refill_fill))

    def featurize(
        self, raw: torch.Tensor, *, augment: bool = False, generator: torch.Generator | None = None
    ) -> Features:
        """Ink map ``(H, W)`` -> :class:`Features` ``(1, line_height, W')`` float32, unit "px".

        ``frame_step`` is the original pixels per output column and ``offset`` the column where the
        crop starts, so frame positions map back to the input image. With ``augment``, the random
        augmentation of :class:`LineAugmentConfig` is drawn from ``generator`` only.
        """
        if not (isinstance(raw, torch.Tensor) and raw.dim() == 2 and raw.numel() > 0):
            raise TypeError(f"featurize expects an ink map (H, W) from load(), got {type(raw).__name__}")
        cfg = self.config
        # the geometry is the torch-free reader's (one implementation for both paths): crop, then scale
        piece = line_features(raw.float().numpy(), self.config_dict())
        x = torch.from_numpy(piece.data[0])  # (F, W')
        width = piece.frame_step * x.shape[1]  # the cropped width in original pixels
        if augment:
            x = augment_line(x, cfg.augment, generator)
            if x.shape[1] > cfg.max_width:
                x = torch.from_numpy(resize_to_height(x.numpy(), cfg.line_height, cfg.max_width))
        return Features(x[None].contiguous(), width / x.shape[1], "px", float(piece.start))  # (1, F, W')

    def export_info(self) -> dict:
        """Line height; feature maps up to ``max_width`` columns (features are computed outside the graph)."""
        cfg = self.config
        return {"geometry": {"line_height": cfg.line_height}, "raw": "ink values", "raw_example": 4 * cfg.line_height,
                "max_raw": None, "max_frames": cfg.max_width}

    def length_hint(self, raw: torch.Tensor) -> float:
        """W * line_height / H, the width after scaling (before cropping)."""
        h, w = raw.shape
        return min(float(self.config.max_width), w * self.config.line_height / h)
