"""Pieces of audio: stretches of speech cut at silences, long ones in overlapping windows.

Silence (levels far below the recording's loud end, or digital zeros) is left out: each piece is
one stretch of sound plus a 0.15 s margin, and a piece longer than ``window_s`` is cut into
overlapping windows (:func:`recog_audio.silence.plan_segments`). This matters for accuracy, not only
speed: per-utterance feature normalisation and the BiLSTM's context both suffer from long silences.
Short inputs with nothing to trim take the single-pass path (None).

Long files are read twice, block by block: once for the levels (one float per 10 ms), once to
decode the pieces in order (the overlap of neighbouring windows is copied over), so memory stays
at about two windows however long the file is. In-memory waveforms are sliced. Times are in
seconds; owning spans tile ``[0, duration)`` exactly. Torch-free (NumPy): the ONNX runtime's audio
reader cuts the same pieces.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from recog.errors import CorruptInputError
from recog.pieces import Piece
from recog_audio.silence import LEVEL_BLOCK_S, Span, block_levels_db, plan_pieces, plan_windows

from .io import BLOCK_FRAMES, open_audio, read_file, read_mono, resample, shortfall_allowed

__all__ = ["Span", "plan_windows", "plan_pieces", "file_pieces", "file_windows", "waveform_windows", "LEVEL_BLOCK_S"]


def _window(raw: np.ndarray, span: Span, rate: int) -> Piece:
    start, end, own_start, own_end = span
    return Piece(raw, start / rate, end / rate, (own_start / rate, own_end / rate))


def file_pieces(
    source: Any, sample_rate: int, window_s: float, overlap_s: float
) -> np.ndarray | list[Piece] | Iterator[Piece]:
    """A file path or file bytes, decoded once: the whole waveform ``(S,)`` at ``sample_rate`` when one
    pass over it is best, else its pieces (see the module doc): a list for a file no longer than a
    window (decoded already), an iterator that decodes as it goes for a longer one.

    Each piece's ``data`` is mono float32 ``(S,)`` at ``sample_rate``. Opening checks the file as
    :func:`recog_audio.io.load_audio` does; decoding errors of a long file surface while iterating.
    """
    with open_audio(source) as f:
        rate, frames = f.samplerate, f.frames
        block = round(LEVEL_BLOCK_S * rate)
        if frames <= round(window_s * rate):  # short: decode once, plan from the samples
            wave = read_mono(f, frames, source, kind=f.format)
            if frames - len(wave) > shortfall_allowed(f):
                raise CorruptInputError(
                    source, f"truncated or damaged {f.format}: header declares {frames} samples, decoded {len(wave)}"
                )
            plan = plan_pieces(block_levels_db(wave, block), rate, len(wave), window_s, overlap_s)
            if plan is None:
                return resample(wave, rate, sample_rate)
            return [_window(resample(wave[s:e].copy(), rate, sample_rate), (s, e, os_, oe), rate)
                    for s, e, os_, oe in plan]
        levels = _file_levels(f, source, block)
    plan = plan_pieces(levels, rate, frames, window_s, overlap_s)
    if plan is None:  # long, but nothing to cut: read it whole
        return resample(read_file(source)[0], rate, sample_rate)
    return _iter_file(source, plan, rate, sample_rate)


def file_windows(source: Any, sample_rate: int, window_s: float, overlap_s: float) -> Iterator[Piece] | None:
    """The pieces of :func:`file_pieces`, or None when one pass over the whole file is best."""
    got = file_pieces(source, sample_rate, window_s, overlap_s)
    return None if isinstance(got, np.ndarray) else iter(got)


def _file_levels(f, source: Any, block: int) -> np.ndarray:
    """Levels of every ``block`` samples of an open file, decoded chunk by chunk (chunks are whole blocks)."""
    chunk = max(block, (BLOCK_FRAMES // block) * block)
    out = []
    buf = np.empty(chunk, dtype=np.float32)
    while True:
        got = read_mono(f, chunk, source, kind=f.format, out=buf)
        if len(got) == 0:
            break
        out.append(block_levels_db(got, block))
        if len(got) < chunk:
            break
    return np.concatenate(out) if out else np.zeros(0)


def _iter_file(source: Any, plan: list[Span], rate: int, sample_rate: int) -> Iterator[Piece]:
    with open_audio(source) as f:
        buf = np.zeros(0, dtype=np.float32)  # the previous window: file samples [buf_start, buf_start + len(buf))
        buf_start = 0
        for start, end, own_start, own_end in plan:
            pos = buf_start + len(buf)  # the file position
            if start > pos:  # silence between pieces: decode and drop it
                while pos < start:
                    skipped = read_mono(f, min(start - pos, BLOCK_FRAMES), source, kind=f.format)
                    if len(skipped) == 0:
                        break
                    pos += len(skipped)
                buf, buf_start = np.zeros(0, dtype=np.float32), pos
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
                yield _window(resample(buf, rate, sample_rate), (start, got, own_start, got), rate)
                return
            yield _window(resample(buf, rate, sample_rate), (start, end, own_start, own_end), rate)


def waveform_windows(
    wave: np.ndarray, sample_rate: int, window_s: float, overlap_s: float
) -> Iterator[Piece] | None:
    """Pieces of a loaded waveform ``(S,)`` at ``sample_rate``, as views; None if one pass over it is best."""
    levels = block_levels_db(wave, round(LEVEL_BLOCK_S * sample_rate))
    plan = plan_pieces(levels, sample_rate, wave.shape[0], window_s, overlap_s)
    if plan is None:
        return None
    return (_window(wave[s:e], (s, e, os_, oe), sample_rate) for s, e, os_, oe in plan)
