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


from .errors import InputError, InputNotFoundError

if TYPE_CHECKING:  # pragma: no cover
    from .runtime.model_info import OnnxModelInfo

__all__ = ["Piece", "InputReader", "reader_for", "read_head", "HEAD_BYTES"]

HEAD_BYTES = 64  # bytes read from a file to sniff its format


@dataclass(frozen=True)
class Piece:
    """One piece of an input: the whole of it, or a window of a long one (cut at silences, or overlapping).

    Frontends cut inputs into pieces of their raw signal (:meth:`recog.Frontend.pieces`); torch-free
    readers into pieces of what an export's graph takes. Positions are in the frontend's unit (seconds,
    pixels), absolute within the whole input.

    Attributes:
        data: a raw signal ``(S,)``, or a feature map ``(C, F, T)`` for a graph that takes features (an array,
            or a tensor inside the PyTorch path).
        start: where the piece starts in the input.
        end: where it ends (None: the input's end); a piece that starts at or after the previous one's end
            was cut at a silence, and a word boundary is put between them.
        own: the span ``[lo, hi)`` of the input it owns when stitching (tokens whose centre falls inside
            are kept); None for a whole input.
        frame_step: input units per feature frame, for pieces of features (readers); frontends know their own.
    """

    data: Any
    start: float = 0.0
    end: float | None = None
    own: tuple[float, float] | None = None
    frame_step: float | None = None


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
