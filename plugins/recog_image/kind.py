"""What the image frontend reads, without its PyTorch features: a torch-free install registers this class, so an
input still finds its model (``handwriting``) and the ONNX runtime reads it with :class:`recog_image.reader.ImageReader`."""

from __future__ import annotations

from typing import Any

import numpy as np
from PIL import Image

from recog.frontend import Frontend

from .io import IMAGE_SUFFIXES, is_tensor, sniff_image

__all__ = ["ImageInput"]


class ImageInput(Frontend):
    """Images of one handwritten or printed text line (PNG, JPEG, TIFF, BMP, WebP, single-frame GIF)."""

    name = "image"
    suffixes = IMAGE_SUFFIXES
    unit = "px"
    default_model = "handwriting"

    @classmethod
    def sniff(cls, head: bytes) -> bool:
        return sniff_image(head) is not None

    @classmethod
    def accepts_object(cls, obj: Any) -> bool:
        """PIL images, image file bytes, arrays ``(H, W)``/``(H, W, C)`` and tensors ``(H, W)``/``(C, H, W)``
        with H, W > 8 and C <= 4 (the size rule keeps multi-channel audio ``(channels, samples)`` out)."""
        if isinstance(obj, Image.Image):
            return True
        if isinstance(obj, (bytes, bytearray, memoryview)):
            return sniff_image(bytes(obj[:64])) is not None
        if isinstance(obj, np.ndarray):
            shape = obj.shape if obj.ndim != 3 else obj.shape[:2] if obj.shape[2] <= 4 else ()
        elif is_tensor(obj):
            shape = obj.shape if obj.dim() != 3 else obj.shape[1:] if obj.shape[0] <= 4 else ()
        else:
            return False
        return len(shape) == 2 and min(shape) > 8
