"""Transcription by processes: ``workers`` one-thread recognisers, each built once in a process of its own.

This is how recog uses more than one core for many inputs. The LSTM synchronises its intra-op threads at every
time step, so a second thread in one process gains little on an idle machine and costs 4-16x on a busy one,
while processes with one thread each never wait for one another (issue 17; ``bench/parallel.py`` measures
1 thread, 2 threads and 2 processes side by side).

A recogniser goes to its workers as a *recipe*, ``make()``, a picklable callable that builds it from its bundle
or export file (``Recognizer.from_bundle`` with the same arguments, or the runtime's constructor). On Linux the
workers are forked (they start at once; a spawned one imports torch again: ~4 s here, ``python -X importtime -c
"import recog.recognizer"``) and set their thread count before any work. Workers of more than one thread each, any
platform but Linux, and a process where CUDA is initialised spawn them instead, so a script that uses workers there
needs the usual ``if __name__ == "__main__":`` guard: GNU OpenMP's thread pool does not survive a fork, and a forked
worker whose parent had run a parallel region hangs at its first multi-threaded operation (seen with
``OMP_NUM_THREADS=2``).
Inputs are paths, bytes or arrays (anything picklable); each worker transcribes a chunk of similar-sized inputs
with the recogniser's own ``transcribe_batch``.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from .errors import ConfigError, RecogError

__all__ = ["AUTO_MIN_INPUTS", "DEFAULT_THREADS", "usable_cpus", "process_threads", "auto_workers", "check_workers", "run_in_workers", "transcribe_parallel"]

AUTO_MIN_INPUTS = 64  # below this many inputs, starting processes and splitting batches does not pay


def usable_cpus() -> int:
    """CPUs this process may run on (its affinity mask where the platform has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


DEFAULT_THREADS = 1  # intra-op threads per process unless told otherwise: the LSTM waits for its threads every step


def process_threads() -> int:
    """Intra-op threads per process: ``OMP_NUM_THREADS`` if set to a positive number (the CLI sets it from
    ``--threads``), else :data:`DEFAULT_THREADS`. The one rule for torch, ONNX Runtime and the CLI."""
    env = os.environ.get("OMP_NUM_THREADS", "")
    return int(env) if env.isdigit() and int(env) > 0 else DEFAULT_THREADS


def auto_workers(n_inputs: int, threads: int | None = None) -> int:
    """Processes for ``n_inputs`` inputs at ``threads`` threads each (default :func:`process_threads`): one per
    usable core's worth of threads, at least :data:`AUTO_MIN_INPUTS` / 2 inputs each, and 1 for fewer than
    :data:`AUTO_MIN_INPUTS` inputs."""
    if n_inputs < AUTO_MIN_INPUTS:
        return 1
    threads = threads or process_threads()
    return max(1, min(usable_cpus() // threads, n_inputs // (AUTO_MIN_INPUTS // 2)))


def check_workers(workers: int | str, n_inputs: int, threads: int | None = None) -> int:
    """``workers`` as a process count: ``"auto"`` resolved by :func:`auto_workers`; anything else must be >= 1."""
    if workers == "auto":
        return auto_workers(n_inputs, threads)
    try:
        n = int(workers)
    except (TypeError, ValueError):
        raise ConfigError(f"workers must be a number >= 1 or 'auto', got {workers!r}") from None
    if n < 1:
        raise ConfigError(f"workers must be >= 1 or 'auto', got {workers!r}")
    return n


# --- in a worker process ------------------------------------------------------------------------------
_recognizer: Any = None


def _start(make: Callable[[], Any], threads: int) -> None:
    os.environ["OMP_NUM_THREADS"] = str(threads)  # onnxruntime's default and any library read at import
    if "torch" in sys.modules:  # unpickling ``make`` imported it: set its pool before the first operation
        sys.modules["torch"].set_num_threads(threads)
    global _recognizer
    _recognizer = make()


def _transcribe(chunk: list[tuple[int, Any]], batch_size: int) -> list[tuple[int, Any]]:
    indices = [i for i, _ in chunk]
    out = _recognizer.transcribe_batch([s for _, s in chunk], batch_size=batch_size, errors="return")
    return list(zip(indices, out))


# --- in the caller -------------------------------------------------------------------------------------
def _context(threads: int) -> multiprocessing.context.BaseContext:
    """Fork on Linux for one-thread workers (fast; they set their thread count first, and one thread never enters
    an OpenMP parallel region); spawn for workers of several threads (a forked copy of this process's OpenMP pool
    deadlocks), once CUDA is initialised here, and on other platforms."""
    torch = sys.modules.get("torch")
    cuda_up = torch is not None and torch.cuda.is_initialized()
    fork = sys.platform == "linux" and not cuda_up and threads == 1
    return multiprocessing.get_context("fork" if fork else "spawn")


def _size(source: Any) -> int:
    """A cheap stand-in for an input's length, to put similar inputs in one chunk."""
    if isinstance(source, (str, os.PathLike)):
        try:
            return Path(source).stat().st_size
        except OSError:
            return 0
    return len(source) if hasattr(source, "__len__") else 0


def run_in_workers(
    remake: Callable[[], Any] | None,
    sources: Sequence[Any],
    workers: int | str,
    *,
    cannot: str,
    batch_size: int,
    errors: str,
    progress: Callable[[int, int, dict], None] | None,
) -> list[Any] | None:
    """A recogniser's ``transcribe_batch(..., workers=)``: ``None`` where one process it is (the caller goes on
    itself), else :func:`transcribe_parallel` of ``remake``. ``"auto"`` means one process where there is no
    ``remake``; an explicit count > 1 without one is a :class:`ConfigError` saying ``cannot``."""
    n = 1 if workers == "auto" and remake is None else check_workers(workers, len(sources))
    if n == 1:
        return None
    if remake is None:
        raise ConfigError(cannot)
    return transcribe_parallel(remake, sources, workers=n, batch_size=batch_size, errors=errors, progress=progress)


def transcribe_parallel(
    make: Callable[[], Any],
    sources: Sequence[Any],
    *,
    workers: int,
    threads: int | None = None,
    batch_size: int = 16,
    errors: str = "raise",
    progress: Callable[[int, int, dict], None] | None = None,
) -> list[Any]:
    """Transcribe ``sources`` in ``workers`` processes, each running ``make()``'s recogniser at ``threads`` threads
    (default :func:`process_threads`).

    Returns what ``make().transcribe_batch(sources, errors=errors)`` would: one transcript (or, with
    ``errors="return"``, the input's :class:`RecogError`) per source, in order; ``errors="raise"`` raises the
    first input's error. ``progress(done, total, {})`` is called as chunks finish.

    Raises:
        ConfigError: a source that cannot go to another process (an open file, a generator), or a worker that
            could not start or died (its message says why).
    """
    if errors not in ("raise", "return"):
        raise ValueError("errors must be 'raise' or 'return'")
    n = len(sources)
    order = sorted(range(n), key=lambda i: _size(sources[i]))  # similar lengths batch well
    per_chunk = max(1, min(batch_size * 2, math.ceil(n / (workers * 4))))  # >= 4 chunks a worker: even finish
    chunks = [[(i, sources[i]) for i in order[k : k + per_chunk]] for k in range(0, n, per_chunk)]
    results: list[Any] = [None] * n
    done = 0
    threads = threads or process_threads()
    context = _context(threads)
    try:
        with ProcessPoolExecutor(workers, mp_context=context,
                                 initializer=_start, initargs=(make, threads)) as pool:
            futures = [pool.submit(_transcribe, c, batch_size) for c in chunks]
            for f in as_completed(futures):
                chunk = f.result()
                for i, r in chunk:
                    results[i] = r
                done += len(chunk)
                if progress is not None:
                    progress(done, n, {})
    except BrokenProcessPool as e:
        hint = ("; workers are spawned here (they re-import the main script: a script that starts them needs "
                "`if __name__ == \"__main__\":`)" if context.get_start_method() == "spawn" else "")
        raise ConfigError(f"a transcription worker process died ({e}); run with workers=1 to see why{hint}") from None
    except (TypeError, AttributeError) as e:  # pickling an input or the recipe
        if "pickle" not in str(e):
            raise
        raise ConfigError(f"these inputs cannot go to worker processes ({e}); use workers=1") from None
    if errors == "raise":
        for r in results:
            if isinstance(r, RecogError):
                raise r
    return results
