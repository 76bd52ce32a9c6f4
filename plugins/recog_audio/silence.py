"""Where audio is silent, and how a long input is cut: overlapping spans, each owning the middle of its overlaps.

No torch (NumPy at most): the audio frontend and its torch-free reader (ONNX runtime) cut inputs
identically. Units are whatever the caller counts in (samples).

Two planners: :func:`plan_windows` cuts fixed, overlapping windows; :func:`plan_segments` first
drops long stretches without activity (silence, for audio) and cuts at them, so that each piece
holds one stretch of activity plus a margin, and only pieces longer than a window are cut further.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

MIN_SOUND_S = 0.1  # seconds: shorter inputs cannot hold a word and are transcribed as ""

__all__ = ["MIN_SOUND_S", "Span", "plan_windows", "plan_segments", "plan_pieces", "SegmentConfig", "block_levels_db", "LEVEL_BLOCK_S"]

LEVEL_BLOCK_S = 0.01  # seconds per activity level of audio

Span = tuple[int, int, int, int]  # (start, end, own_start, own_end) in the caller's units


def plan_windows(n: int, window: int, overlap: int) -> list[Span] | None:
    """Windows of ``window`` samples over ``n`` samples, neighbours sharing ``overlap``; None if ``n <= window``.

    Windows start every ``window - overlap`` samples; the last one is moved back to end at ``n`` so
    that it is full length. Each window owns ``[own_start, own_end)``: the boundary between two
    neighbours is the middle of their nominal overlap, the first owns from 0 and the last up to n.
    """
    if n <= window:
        return None
    if not 0 <= overlap < window:
        raise ValueError(f"need 0 <= overlap < window, got {overlap}, {window}")
    step = window - overlap
    count = math.ceil((n - overlap) / step)
    spans: list[Span] = []
    own_start = 0
    for k in range(count):
        last = k == count - 1
        start = n - window if last else k * step
        own_end = n if last else (k + 1) * step + overlap // 2
        spans.append((start, start + window, own_start, own_end))
        own_start = own_end
    return spans


@dataclass(frozen=True)
class SegmentConfig:
    """Activity thresholds for :func:`plan_segments` (levels in dB, durations in blocks)."""

    rel_floor_db: float = 40.0  # active: within this many dB of the loud end (99th percentile) ...
    abs_floor_db: float = -65.0  # ... and above this absolute level
    margin: int = 15  # blocks of context kept on each side of activity
    min_gap: int = 10  # inactive blocks (beyond both margins) needed to cut between two pieces
    digital_floor_db: float = -90.0  # margins never reach into blocks this quiet (digital silence, padding)
    digital_gap: int = 35  # digital silence this long cuts even a short input
    digital_margin: int = 0  # blocks of digital silence a margin may take in (measured best: none)


def block_levels_db(x: np.ndarray, block: int) -> np.ndarray:
    """Mean-square level of consecutive ``block``-sample blocks of ``x`` (S,), in dB re full scale: (ceil(S / block),)."""
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    n = math.ceil(len(x) / block) if len(x) else 0
    padded = np.zeros(n * block)
    padded[: len(x)] = x
    power = (padded.reshape(n, block) ** 2).mean(axis=1)  # (n,)
    if n and len(x) % block:
        power[-1] *= block / (len(x) % block)  # the last block is partial
    return 10.0 * np.log10(power + 1e-12)


def plan_segments(
    levels_db: np.ndarray, block: int, n: int, window: int, overlap: int, cfg: SegmentConfig | None = None
) -> list[Span] | None:
    """Pieces of an input of ``n`` units around its activity; None if it is one piece that needs no cutting.

    An input longer than ``window`` is cut wherever its level stays low (``rel_floor_db`` below its
    loud end, or under ``abs_floor_db``) for ``min_gap`` blocks beyond both margins. A shorter input
    is cut only at digital silence (below ``digital_floor_db`` for ``digital_gap`` blocks), and
    digital silence at its edges is dropped.

    Args:
        levels_db: (ceil(n / block),) activity level per block of ``block`` units (see :func:`block_levels_db`).
        block: units per level.
        n: input length in units.
        window, overlap: pieces longer than ``window`` are cut further by :func:`plan_windows`.
        cfg: thresholds.

    Returns:
        Spans ``(start, end, own_start, own_end)`` in input order. Pieces are the active stretches
        widened by the margin (but not into digital silence); stretches closer than ``min_gap`` are joined. Owned ranges tile
        ``[0, n)``: a boundary between pieces lies in the middle of the silence between them.
        None when one piece spans all of a short input; [] when no block rises above ``abs_floor_db``
        (nothing to transcribe).
    """
    cfg = cfg or SegmentConfig()
    levels = np.asarray(levels_db, dtype=np.float64)
    if levels.size == 0 or not np.isfinite(levels).all():
        return None
    if not (levels > cfg.abs_floor_db).any():
        return []  # silence or faint room tone throughout: nothing to transcribe (normalising it invents words)
    audible = levels > cfg.digital_floor_db  # (blocks,)
    if n <= window:
        # a short input is cut only at digital silence (padding, joins of synthetic audio): real
        # recordings keep their pauses, which the model has seen in training
        active, min_run = audible, cfg.digital_gap
    else:
        loud = float(np.percentile(levels, 99))
        active = levels > max(cfg.abs_floor_db, loud - cfg.rel_floor_db)  # (blocks,)
        min_run = 2 * cfg.margin + cfg.min_gap
    if not active.any():
        return None
    idx = np.flatnonzero(active)
    runs = []  # [first, last] blocks of activity, joined across short gaps
    first = last = int(idx[0])
    for i in idx[1:]:
        if i - last - 1 >= min_run:
            runs.append((first, last))
            first = i
        last = int(i)
    runs.append((first, last))
    last_block = len(levels) - 1
    pieces = []
    for k, (a, b) in enumerate(runs):
        # widen by the margin, but only a little into digital silence: models never heard long exact zeros
        lo, hi, zeros = a, b, 0
        while lo > 0 and a - lo < cfg.margin and (audible[lo - 1] or zeros < cfg.digital_margin):
            zeros += not audible[lo - 1]
            lo -= 1
        zeros = 0
        while hi < last_block and hi - b < cfg.margin and (audible[hi + 1] or zeros < cfg.digital_margin):
            zeros += not audible[hi + 1]
            hi += 1
        if k == 0 and a < min_run:  # short leading/trailing silence is no reason to cut
            lo = 0
        if k == len(runs) - 1 and last_block - b < min_run:
            hi = last_block
        pieces.append((lo * block, min(n, (hi + 1) * block)))
    if len(pieces) == 1 and n <= window and pieces[0] == (0, n):
        return None  # one short piece, little to trim: the caller's single-pass path
    bounds = [0] + [(pieces[k][1] + pieces[k + 1][0]) // 2 for k in range(len(pieces) - 1)] + [n]
    spans: list[Span] = []
    for k, (s, e) in enumerate(pieces):
        own_s, own_e = bounds[k], bounds[k + 1]
        sub = plan_windows(e - s, window, overlap)
        if sub is None:
            spans.append((s, e, own_s, own_e))
            continue
        for j, (a, b, oa, ob) in enumerate(sub):  # a long piece: fixed windows inside it
            spans.append((s + a, s + b, own_s if j == 0 else s + oa, own_e if j == len(sub) - 1 else s + ob))
    return spans


def plan_pieces(levels_db: np.ndarray, rate: int, n: int, window_s: float, overlap_s: float) -> list[Span] | None:
    """Pieces of ``n`` audio samples at ``rate`` from their levels (one per :data:`LEVEL_BLOCK_S`):
    stretches of sound cut at silence, long ones windowed; None for one pass over the whole input; [] when
    there is nothing to transcribe (no sound above the absolute floor, or shorter than :data:`MIN_SOUND_S`)."""
    window, overlap = round(window_s * rate), round(overlap_s * rate)
    if n < round(MIN_SOUND_S * rate):
        return []  # too short to hold a word
    plan = plan_segments(levels_db, round(LEVEL_BLOCK_S * rate), n, window, overlap)
    return plan if plan is not None else plan_windows(n, window, overlap)
