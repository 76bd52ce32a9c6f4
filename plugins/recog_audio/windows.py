"""Windows over long audio: overlapping chunks, each owning the middle of its overlaps.

Files are decoded sequentially, one window at a time (the overlap is copied over, nothing is
decoded twice), so memory stays at about two windows however long the file is. In-memory
waveforms are sliced. Times are in seconds; owning spans tile ``[0, duration)`` exactly.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import torch

from recog.errors import CorruptInputError
from recog.frontend import Window
from recog.windowing import Span, plan_windows

from .io import open_audio, read_mono, resample, shortfall_allowed

__all__ = ["Span", "plan_windows", "file_windows", "waveform_windows"]



def _window(raw: torch.Tensor, span: Span, rate: int) -> Window:
    start, end, own_start, own_end = span
    return Window(raw, start / rate, end / rate, own_start / rate, own_end / rate)


def file_windows(source: Any, sample_rate: int, window_s: float, overlap_s: float) -> Iterator[Window] | None:
    """Windows of a file path or file bytes, decoded block by block; None if it is not longer than a window.

    Each window's ``raw`` is mono float32 ``(S,)`` at ``sample_rate``. Opening checks the file as
    :func:`recog_audio.io.load_audio` does; decoding errors surface while iterating.
    """
    with open_audio(source) as f:
        rate, frames = f.samplerate, f.frames
    plan = plan_windows(frames, round(window_s * rate), round(overlap_s * rate))
    if plan is None:
        return None
    return _iter_file(source, plan, rate, sample_rate)


def _iter_file(source: Any, plan: list[Span], rate: int, sample_rate: int) -> Iterator[Window]:
    with open_audio(source) as f:
        buf = np.zeros(0, dtype=np.float32)  # the previous window: file samples [buf_start, buf_start + len(buf))
        buf_start = 0
        for start, end, own_start, own_end in plan:
            keep = buf[start - buf_start :]  # its overlap with this window (starts never go back)
            window = np.empty(end - start, dtype=np.float32)
            window[: len(keep)] = keep
            new = read_mono(f, len(window) - len(keep), source, kind=f.format, out=window[len(keep) :])
            buf, buf_start = window[: len(keep) + len(new)], start
            got = start + len(buf)
            if got < end:  # the file ended early: fine within an MP3 length estimate's slack
                if f.frames - got > shortfall_allowed(f):
                    raise CorruptInputError(
                        source, f"truncated or damaged {f.format}: header declares {f.frames} samples, decoded {got}"
                    )
                yield _window(resample(torch.from_numpy(buf), rate, sample_rate), (start, got, own_start, got), rate)
                return
            yield _window(resample(torch.from_numpy(buf), rate, sample_rate), (start, end, own_start, own_end), rate)


def waveform_windows(
    wave: torch.Tensor, sample_rate: int, window_s: float, overlap_s: float
) -> Iterator[Window] | None:
    """Windows of a loaded waveform ``(S,)`` at ``sample_rate``, as views; None if it is not longer than a window."""
    plan = plan_windows(wave.shape[0], round(window_s * sample_rate), round(overlap_s * sample_rate))
    if plan is None:
        return None
    return (_window(wave[s:e], (s, e, os_, oe), sample_rate) for s, e, os_, oe in plan)
