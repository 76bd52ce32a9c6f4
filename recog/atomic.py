"""Atomic file writes: a reader sees the old file or the whole new one, never half of it.

Every file the engine writes (bundles, checkpoints, language models, exports, synthetic audio, transcripts,
page XML) goes through :func:`atomic_write`: the content is written to a temporary file in the target's
folder, flushed to disk, and renamed over the target. On any failure (full disk, read-only folder, no
permission) the temporary file is removed and an :class:`recog.errors.OutputError` names the target.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path

from .errors import OutputError

__all__ = ["atomic_write", "atomic_write_text"]


def _reason(e: OSError) -> str:
    if e.errno == errno.ENOSPC:
        return "no space left on the device"
    if e.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if e.errno == errno.EROFS:
        return "read-only file system"
    return e.strerror or str(e)


def _disk_reason(path: Path, e: Exception) -> str:
    """A library's write error in plain words: a full disk or a folder we may not write, else its first line."""
    try:
        if os.statvfs(path.parent).f_bavail == 0:
            return "no space left on the device"
    except OSError:
        pass
    if path.parent.exists() and not os.access(path.parent, os.W_OK):
        return "permission denied"
    return str(e).strip().splitlines()[0][:200] if str(e).strip() else type(e).__name__


def atomic_write(path: str | os.PathLike, write: Callable[[Path], None], *, mode: int | None = 0o644) -> Path:
    """Call ``write(tmp)`` to fill a temporary file beside ``path``, then move it onto ``path``.

    ``mode`` sets the file's permissions (None keeps the temporary file's). Returns ``path``.

    Raises:
        OutputError: the folder cannot be made or the file cannot be written; nothing is left behind.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write(tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise OutputError(path, _reason(e)) from None
    except RuntimeError as e:  # torch.save and libsndfile report a failed write as RuntimeError
        tmp.unlink(missing_ok=True)
        raise OutputError(path, _disk_reason(path, e)) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically."""
    return atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
