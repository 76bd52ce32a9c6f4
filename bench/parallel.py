"""`recog eval` at 1 thread, 2 threads and 2 processes, and at its defaults, in one run, with the load average.

    python bench/splits.py
    python bench/parallel.py [--manifest runs/splits/an4_test.jsonl] [--model speech] [--rounds 2]
        [--engine auto] [--decoder auto]

Each setting is a fresh `recog eval` process (its start-up counted: that is what a user waits for), run in
interleaved rounds so a change in the machine's load hits every setting alike; the best round of each is
reported, and "default / best" is the figure issue 17 asks to keep within 1.2x on an idle and on a loaded
machine. The load average is printed before and after: run it once on an idle machine and once beside other
work (for example a training run) and compare.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

SETTINGS = {  # name: extra arguments to `recog eval`
    "1 thread, 1 process": ["--threads", "1", "--workers", "1"],
    "2 threads, 1 process": ["--threads", "2", "--workers", "1"],
    "1 thread, 2 processes": ["--threads", "1", "--workers", "2"],
    "default": [],
}


def _eval(manifest: str, model: str, engine: str, decoder: str, extra: list[str]) -> tuple[float, dict]:
    env = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}  # "default" must mean the default
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "recog", "eval", manifest, "--model", model, "--engine", engine,
                          "--decoder", decoder, "--json", "--quiet", *extra], capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    if out.returncode != 0:
        raise SystemExit(f"recog eval {' '.join(extra)} failed: {out.stderr.strip()}")
    return wall, json.loads(out.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--manifest", default="runs/splits/an4_test.jsonl")
    ap.add_argument("--model", default="speech")
    ap.add_argument("--engine", default="auto")
    ap.add_argument("--decoder", default="auto")
    ap.add_argument("--rounds", type=int, default=2)
    a = ap.parse_args()
    load_before = os.getloadavg()
    best: dict[str, tuple[float, dict]] = {}
    for _ in range(a.rounds):
        for name, extra in SETTINGS.items():
            wall, report = _eval(a.manifest, a.model, a.engine, a.decoder, extra)
            if name not in best or wall < best[name][0]:
                best[name] = (wall, report)
    load_after = os.getloadavg()
    n = next(iter(best.values()))[1]["n"]
    print(f"{a.model} on {a.manifest} ({n} items), engine {a.engine}, decoder {a.decoder}, {os.cpu_count()} CPUs, "
          f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after; best of {a.rounds} rounds")
    fastest = min(w for w, _ in best.values())
    for name, (wall, report) in best.items():
        print(f"  {name:24s} {wall:7.2f} s  ({wall / fastest:.2f}x the fastest)  WER {report['wer']:.2%}")
    print(f"default / best = {best['default'][0] / fastest:.2f}")


if __name__ == "__main__":
    main()
