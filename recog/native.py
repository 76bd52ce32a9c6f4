"""The package's compiled part: ``recog/_ctcbeam.c`` (CTC beam search, alignment, the character LM's
distributions), built by ``pip install``; a checkout used without installing it gets one clear error."""

from __future__ import annotations

import functools

from .errors import RecogError

__all__ = ["ctcbeam"]


@functools.cache
def ctcbeam():
    """The :mod:`recog._ctcbeam` extension module."""
    try:
        from . import _ctcbeam
    except ImportError as e:  # a source checkout used without installing it
        raise RecogError(
            f"recog's C beam search is not built ({e}): install recog with pip (pip install -e . in a checkout), "
            "which compiles recog/_ctcbeam.c"
        ) from None
    return _ctcbeam
