"""Torch-free input readers: what the ONNX runtime feeds a graph, cut from one input.

A reader turns one source (a path, bytes, an array, an image) into :class:`Piece` s: the whole
input, or the overlapping windows of a long one, each holding either the raw signal ``(S,)`` for
a graph with feature extraction inside, or a feature map ``(C, F, T)`` for a graph that takes
features. Readers import NumPy, soundfile and Pillow, never torch.

Built-in readers reproduce the built-in frontends: ``"audio"`` (raw waveforms, see
:mod:`recog.runtime.audio`) and ``"image"`` (feature maps, see :mod:`recog.runtime.image`).
Another frontend's export is served by passing ``reader=`` to :class:`recog.runtime.OnnxRecognizer`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from .model_info import OnnxModelInfo

__all__ = ["Piece", "InputReader", "READERS", "reader_for"]


@dataclass(frozen=True)
class Piece:
    """One graph input cut from one source.

    Attributes:
        data: the raw signal ``(S,)`` float32, or a feature map ``(C, F, T)`` float32.
        frame_step: input units (seconds, pixels) per feature frame.
        offset: where the piece starts in the source, in input units.
        own: for a window of a long input, the span ``[start, end)`` of the source it owns when
            stitching (tokens whose centre falls inside are kept); None for a whole input.
        end: where a window ends in the source (input units); a window that starts at or after
            the previous one's end was cut at a silence, and a word boundary is put between them.
    """

    data: np.ndarray
    frame_step: float
    offset: float = 0.0
    own: tuple[float, float] | None = None
    end: float | None = None


class InputReader(Protocol):
    """Reads sources for one frontend without torch."""

    kinds: tuple[str, ...]  # graph input kinds it can feed: "raw", "features" or both

    def pieces(self, source: Any, kind: str) -> list[Piece]:
        """The pieces of ``source`` for a graph whose input is ``kind``; raise :mod:`recog.errors` naming it."""
        ...


def _audio(info: OnnxModelInfo) -> InputReader:
    from .audio import AudioReader

    return AudioReader.from_info(info)


def _image(info: OnnxModelInfo) -> InputReader:
    from .image import ImageReader

    return ImageReader.from_info(info)


READERS: dict[str, Callable[[OnnxModelInfo], InputReader]] = {"audio": _audio, "image": _image}


def reader_for(info: OnnxModelInfo) -> InputReader | None:
    """The built-in reader for the frontend an export names, or None if there is none."""
    factory = READERS.get(info.frontend)
    return factory(info) if factory else None
