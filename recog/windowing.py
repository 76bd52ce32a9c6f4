"""Windows over long inputs: overlapping spans along one axis, each owning the middle of its overlaps.

Pure Python (no torch), shared by frontends and the torch-free ONNX runtime so both cut long
inputs identically. Units are whatever the caller counts in (samples, pixel columns).
"""

from __future__ import annotations

import math

__all__ = ["Span", "plan_windows"]

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
