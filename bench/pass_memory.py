"""Memory of one recognition pass per second of input: features + network, PyTorch and the int8 engine.

    python bench/pass_memory.py [--model speech] [--seconds 5 10 20]

For each length (at most the frontend's window: longer inputs are cut into windows, so one window is the
most a pass ever holds) and each engine, a fresh process loads the model, runs a 1-second warm-up pass, then
one pass over the input (frontend features, then the network; batch 1, one thread), and reports how much the
peak resident memory (ru_maxrss) grew during that pass (glibc set to map every block of 64 KiB or more on its
own, so freed tensors leave the resident set and the peak follows what is live). The slope of a least-squares line through the
lengths is the memory per second of input; the intercept is the per-pass overhead.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

CHILD = """
import json, os, resource, sys
os.environ["OMP_NUM_THREADS"] = "1"
import numpy as np, torch
import recog
torch.set_num_threads(1)
model, engine, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
rec = recog.load(model, decoder="greedy", device="cpu", engine=engine)
fe = rec.frontend
rate = fe.config.sample_rate
rng = np.random.default_rng(0)

def noise(sec):
    return torch.from_numpy((0.1 * rng.standard_normal(int(sec * rate))).astype(np.float32))

def one_pass(wave):
    ft = fe.features(wave)
    with torch.inference_mode():
        lp, n = (rec.encoder or rec.model)(ft.data[None], torch.tensor([ft.num_frames]))
    return lp.shape[1]

one_pass(noise(1.0))
wave = noise(seconds)  # the input exists before the pass (its float64 draw is freed): not counted
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
frames = one_pass(wave)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"grew_mb": round((after - before) / 1024, 2), "peak_mb": round(after / 1024, 1), "out_frames": frames}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="speech")
    ap.add_argument("--seconds", type=float, nargs="+", default=[5.0, 10.0, 15.0, 20.0])
    ap.add_argument("--engines", nargs="+", default=["torch", "onnx"])
    args = ap.parse_args()
    # every block of 64 KiB or more is its own mapping, given back when freed: the resident peak then follows
    # the live tensors instead of what glibc's heap happened to keep from loading
    env = {**os.environ, "MALLOC_MMAP_THRESHOLD_": "65536", "MALLOC_TRIM_THRESHOLD_": "0"}
    for engine in args.engines:
        rows = []
        for sec in args.seconds:
            out = subprocess.run([sys.executable, "-c", CHILD, args.model, engine, str(sec)],
                                 capture_output=True, text=True, check=True, env=env).stdout
            rows.append((sec, json.loads(out.strip().splitlines()[-1])))
        xs = [s for s, _ in rows]
        ys = [r["grew_mb"] for _, r in rows]
        mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
        slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / max(1e-9, sum((x - mx) ** 2 for x in xs))
        result = {"engine": engine, "mb_per_second": round(slope, 3), "intercept_mb": round(my - slope * mx, 2),
                  "passes": {f"{s:g}s": r for s, r in rows}}
        print(json.dumps(result))


if __name__ == "__main__":
    main()
