"""Torch-free input readers: what the ONNX runtime feeds a graph, cut from one input.

A reader turns one source (a path, bytes, an array, an image) into :class:`Piece` s: the whole
input, or the overlapping windows of a long one, each holding either the raw signal ``(S,)`` for
a graph with feature extraction inside, or a feature map ``(C, F, T)`` for a graph that takes
features. Readers import NumPy, soundfile and Pillow, never torch.

Each frontend plugin registers the reader of its exports through the ``register_readers`` hook
(``register(frontend_name, factory)``, ``factory(info)`` -> :class:`InputReader`), reading with the
same code its PyTorch frontend reads with; :func:`reader_for` finds it. An application can also pass
``reader=`` to :class:`recog.runtime.OnnxRecognizer`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from .errors import InputError, InputNotFoundError

if TYPE_CHECKING:  # pragma: no cover
    from .runtime.model_info import OnnxModelInfo

__all__ = ["Piece", "Window", "InputReader", "reader_for", "read_head", "HEAD_BYTES"]

HEAD_BYTES = 64  # bytes read from a file to sniff its format


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

    def pieces(self, source: Any, kind: str) -> list[Piece] | Iterator[Piece]:
        """The pieces of ``source`` for a graph whose input is ``kind``; raise :mod:`recog.errors` naming it.

        A list when the input is read at once (batched with other inputs); an iterator for a long input
        read as it goes (its pieces decoded in order, so memory stays bounded; errors may surface while iterating).
        """
        ...


def reader_for(info: OnnxModelInfo) -> InputReader | None:
    """The reader the plugin of the export's frontend registers (``register_readers``), or None if none does."""
    from .plugins import get_host

    factory = get_host().readers().get(info.frontend)
    return factory(info) if factory else None


@dataclass(frozen=True)
class Window:
    """One window of a long input: its raw signal, and which span of it the window owns when stitching.

    ``start``/``end`` and ``own_start``/``own_end`` are in the frontend's unit (seconds or pixels),
    absolute within the whole input. Tokens whose centre falls in ``[own_start, own_end)`` are kept.
    """

    raw: Any
    start: float
    end: float
    own_start: float
    own_end: float


def read_head(path: str | os.PathLike) -> bytes:
    """The first bytes of a file, for sniffing; raises :class:`InputNotFoundError` naming it."""
    p = Path(path)
    if not p.exists():
        if p.is_symlink():
            raise InputNotFoundError(p, "a symbolic link that leads nowhere (broken, or a loop)")
        raise InputNotFoundError(p, "no such file")
    if not p.is_file():
        raise InputNotFoundError(p, "not a regular file")
    try:
        with open(p, "rb") as f:
            return f.read(HEAD_BYTES)
    except OSError as e:
        raise InputError(p, f"cannot read ({e.strerror or e})") from None
