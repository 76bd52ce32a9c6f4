"""ONNX Runtime on the GPU: throughput of an export with the CUDA (or TensorRT) provider, and parity with the CPU.

    python bench/gpu_onnx.py exports/speech.onnx --manifest M [--limit N] [--tensorrt]

Torch-free (only recog.runtime). Transcribes the manifest with the CUDA provider at batch 1 and 16
(one warm-up pass, best of ``--repeats``) and prints items per second and the real-time factor
(speech) or lines per second (handwriting); then runs the CPU provider on the same items and
prints how many transcripts are identical, the largest confidence difference, and the largest
log-probability difference on one padded batch. Without a GPU, or without a GPU build of
onnxruntime, it says so and exits 0.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from recog.errors import RecogError
from recog.runtime import OnnxRecognizer, gpu_available, tensorrt_options

CPU, CUDA, TENSORRT = "CPUExecutionProvider", "CUDAExecutionProvider", "TensorrtExecutionProvider"
BATCHES = (1, 16)


def _manifest(path: str, limit: int | None) -> list[tuple[str, str]]:
    """(file path, text) pairs; paths are relative to the manifest's folder (the recog manifest format)."""
    folder, items = Path(path).parent, []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            items.append((str(folder / d["path"]), d["text"]))
    return items[:limit]


def _timed(rec: OnnxRecognizer, paths: list[str], batch: int, repeats: int) -> tuple[float, list]:
    rec.transcribe_batch(paths[: max(batch, 2)], batch_size=batch)  # warm-up: CUDA context, kernels, TensorRT engines
    best, out = float("inf"), []
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = rec.transcribe_batch(paths, batch_size=batch)
        best = min(best, time.perf_counter() - t0)
    return best, out


def _padded(rec: OnnxRecognizer, paths: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """One padded batch of the first piece of each input, as the graph takes it."""
    pieces = [rec.reader.pieces(p, rec.info.inputs)[0] for p in paths]
    n = [p.data.shape[-1] for p in pieces]
    batch = np.zeros((len(pieces), *pieces[0].data.shape[:-1], max(n)), dtype=np.float32)
    for i, p in enumerate(pieces):
        batch[i, ..., : n[i]] = p.data
    return batch, np.asarray(n, dtype=np.int64)


def run(onnx_path: str, manifest: str, *, limit: int | None, repeats: int, tensorrt: bool) -> dict:
    items = _manifest(manifest, limit)
    paths = [p for p, _ in items]
    cpu = OnnxRecognizer(onnx_path, providers=[CPU], decoder="greedy")  # the network is what is compared
    trt = [(TENSORRT, tensorrt_options(cpu.info))] if tensorrt else []  # cached engines, one shape profile
    gpu = OnnxRecognizer(onnx_path, providers=trt + [CUDA, CPU], decoder="greedy")
    if gpu.providers[0] not in (CUDA, TENSORRT):
        raise RecogError(f"a GPU is present but ONNX Runtime could not start the CUDA provider (running on {gpu.providers}); "
                         "check that the CUDA 12/13 and cuDNN 9 libraries onnxruntime-gpu needs are installed")
    rows = []
    for batch in BATCHES:
        wall, out = _timed(gpu, paths, batch, repeats)
        extent = sum(r.extent for r in out)
        rows.append({"provider": gpu.providers[0], "batch": batch, "wall_s": wall, "items_per_s": len(paths) / wall,
                     "rtf": wall / extent if out[0].unit == "s" else None})
    gpu_out = gpu.transcribe_batch(paths, batch_size=16)
    cpu_out = cpu.transcribe_batch(paths, batch_size=16)
    same = sum(a.text == b.text for a, b in zip(gpu_out, cpu_out))
    conf = max(abs(a.confidence - b.confidence) for a, b in zip(gpu_out, cpu_out))
    x, lengths = _padded(cpu, paths[:16])
    lp_gpu, n_gpu, _ = gpu.run(x, lengths)
    lp_cpu, n_cpu, _ = cpu.run(x, lengths)
    lp_diff = max(float(np.abs(lp_gpu[i, :k] - lp_cpu[i, :k]).max()) for i, k in enumerate(n_cpu))
    return {"onnx": onnx_path, "manifest": manifest, "items": len(paths), "int8": gpu.info.int8, "rows": rows,
            "parity": {"identical_transcripts": same, "of": len(paths), "max_confidence_diff": conf,
                       "max_log_prob_diff_batch16": lp_diff}}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("onnx", help="an export written by `recog export`")
    p.add_argument("--manifest", required=True, help="JSONL manifest with path and text")
    p.add_argument("--limit", type=int)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--tensorrt", action="store_true", help="try the TensorRT provider first (engines cached under ~/.cache/recog/tensorrt)")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    import onnxruntime as ort

    if CUDA not in ort.get_available_providers():
        print(f"gpu_onnx: this onnxruntime build ({ort.__version__}) has no CUDA provider; nothing to measure")
        return 0
    if not gpu_available():
        print("gpu_onnx: no GPU (the NVIDIA driver reports no CUDA device); nothing to measure")
        return 0
    try:
        report = run(args.onnx, args.manifest, limit=args.limit, repeats=args.repeats, tensorrt=args.tensorrt)
    except RecogError as e:
        print(f"gpu_onnx: error: {e}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"{report['onnx']} ({'int8' if report['int8'] else 'fp32'}) on {report['manifest']}: {report['items']} items")
    print(f"{'provider':<28} {'batch':>5} {'items/s':>9} {'RTF':>9}")
    for r in report["rows"]:
        rtf = "-" if r["rtf"] is None else f"{r['rtf']:.5f}"
        print(f"{r['provider']:<28} {r['batch']:>5} {r['items_per_s']:>9.1f} {rtf:>9}")
    par = report["parity"]
    print(f"GPU vs CPU: {par['identical_transcripts']}/{par['of']} identical transcripts, max confidence difference "
          f"{par['max_confidence_diff']:.2e}, max log-prob difference (batch of 16) {par['max_log_prob_diff_batch16']:.2e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
