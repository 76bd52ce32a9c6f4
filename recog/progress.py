"""A dependency-free progress bar for the CLI (the library reports progress through callbacks)."""

from __future__ import annotations

import sys
import time
from typing import TextIO

__all__ = ["ProgressBar"]


class ProgressBar:
    """Draws ``label [#####.....] done/total rate eta extra`` on a terminal; says nothing when the stream is not
    one (logs and pipes stay clean)."""

    def __init__(self, label: str = "", stream: TextIO | None = None, width: int = 30) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.width = width
        self.t0 = time.perf_counter()
        self.tty = self.stream.isatty()

    def __call__(self, done: int, total: int, info: dict | None = None) -> None:
        total = max(total, 1)
        frac = min(done / total, 1.0)
        elapsed = time.perf_counter() - self.t0
        rate = done / elapsed if elapsed > 0 else 0.0
        eta = (total - done) / rate if rate > 0 else 0.0
        extra = " ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in (info or {}).items())
        bar = "#" * int(frac * self.width) + "." * (self.width - int(frac * self.width))
        line = f"{self.label} [{bar}] {done}/{total} {rate:.2f}/s eta {eta:,.0f}s {extra}"
        if self.tty:
            self.stream.write("\r" + line[:200])
            if done >= total:
                self.stream.write("\n")
            self.stream.flush()

