"""CPU speed of one model four ways: PyTorch eager, ONNX fp32 and int8 runtimes, and the recogniser with the int8
network it ships (``--engine auto`` of the CLI, where the model has one), at batch 1 and 16.

    python bench/onnx_speed.py MODEL --manifest M [--limit N] [--threads T] [--onnx F] [--onnx-int8 F]

MODEL is a registered model name or bundle path; the ONNX files are exported into a temporary
folder unless given. Every engine transcribes the same manifest items from their files
(reading, features, network and decoding all timed), after one warm-up pass. Speech models report
the real-time factor (wall seconds per second of audio, lower is faster), handwriting models
lines per second; the table also gives each engine's speed-up over PyTorch at the same batch size,
CER/WER against the manifest, and the accuracy change int8 brings over fp32.
PyTorch and ONNX Runtime get the same number of threads.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import torch

import recog
from recog.data import read_manifest
from recog.export import export_bundle
from recog.metrics import error_counts
from recog.runtime import OnnxRecognizer

BATCHES = (1, 16)


def _timed(engine, paths: list[str], batch: int, repeats: int) -> tuple[float, list]:
    """Best wall time of ``repeats`` passes over ``paths`` (after a warm-up), and the last results."""
    engine.transcribe_batch(paths[: max(batch, 2)], batch_size=batch)  # warm-up: allocations, thread pools
    best, results = float("inf"), []
    for _ in range(repeats):
        t0 = time.perf_counter()
        results = engine.transcribe_batch(paths, batch_size=batch)
        best = min(best, time.perf_counter() - t0)
    return best, results


def run(model: str, manifest: str, *, limit: int | None, threads: int, repeats: int, onnx: str | None, onnx_int8: str | None) -> dict:
    torch.set_num_threads(threads)
    utts = read_manifest(manifest)[:limit]
    paths = [str(u.path) for u in utts]
    pt = recog.load(model, device="cpu", decoder="greedy")  # engines compared on the network; same decoder for all
    refs = [pt.alphabet.normalize(u.text) for u in utts]
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = onnx or export_bundle(model, Path(tmp) / "fp32.onnx")
        int8 = onnx_int8 or export_bundle(model, Path(tmp) / "int8.onnx", int8=True)
        engines = {
            "pytorch": pt,
            "onnx-fp32": OnnxRecognizer(fp32, providers=["CPUExecutionProvider"], threads=threads, decoder="greedy"),
            "onnx-int8": OnnxRecognizer(int8, providers=["CPUExecutionProvider"], threads=threads, decoder="greedy"),
        }
        shipped = recog.load(model, device="cpu", decoder="greedy", engine="auto")
        if shipped.engine == "onnx":  # the int8 network beside the bundle, inside the PyTorch recogniser
            engines["torch+int8"] = shipped
        rows = []
        for batch in BATCHES:
            for name, engine in engines.items():
                wall, results = _timed(engine, paths, batch, repeats)
                counts = error_counts(refs, [r.text for r in results])
                extent = sum(r.extent for r in results)
                rows.append({"engine": name, "batch": batch, "wall_s": wall, "extent": extent, "unit": results[0].unit,
                             "cer": counts.cer, "wer": counts.wer})
    speech = rows[0]["unit"] == "s"
    base = {r["batch"]: r["wall_s"] for r in rows if r["engine"] == "pytorch"}
    for r in rows:
        r["rtf"] = r["wall_s"] / r["extent"] if speech else None
        r["lines_per_s"] = len(paths) / r["wall_s"]
        r["speedup"] = base[r["batch"]] / r["wall_s"]
    by = {(r["engine"], r["batch"]): r for r in rows}
    delta = {"cer": by["onnx-int8", 1]["cer"] - by["onnx-fp32", 1]["cer"], "wer": by["onnx-int8", 1]["wer"] - by["onnx-fp32", 1]["wer"]}
    return {"model": model, "manifest": manifest, "items": len(paths), "threads": threads, "speech": speech,
            "rows": rows, "int8_minus_fp32": delta, "load_average": os.getloadavg()}


def table(report: dict) -> str:
    speed = "RTF" if report["speech"] else "lines/s"
    lines = [
        f"{report['model']} on {report['manifest']}: {report['items']} items, {report['threads']} thread(s), CPU, "
        f"load average {' '.join(f'{x:.2f}' for x in report['load_average'])}",
        f"{'engine':<10} {'batch':>5} {speed:>9} {'speed-up':>9} {'CER':>7} {'WER':>7}",
    ]
    for r in report["rows"]:
        value = f"{r['rtf']:.5f}" if report["speech"] else f"{r['lines_per_s']:.1f}"
        lines.append(f"{r['engine']:<10} {r['batch']:>5} {value:>9} {r['speedup']:>8.2f}x {r['cer']:>7.2%} {r['wer']:>7.2%}")
    d = report["int8_minus_fp32"]
    lines.append(f"int8 vs fp32: CER {d['cer']:+.2%}, WER {d['wer']:+.2%}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("model", help="registered model name or bundle path")
    p.add_argument("--manifest", required=True, help="JSONL manifest with path and text")
    p.add_argument("--limit", type=int, help="first N items only")
    p.add_argument("--threads", type=int, default=torch.get_num_threads(), help="threads for PyTorch and ONNX Runtime")
    p.add_argument("--repeats", type=int, default=3, help="timed passes per engine and batch size (best is kept)")
    p.add_argument("--onnx", help="an existing fp32 export (default: export into a temporary folder)")
    p.add_argument("--onnx-int8", help="an existing int8 export")
    p.add_argument("--json", action="store_true", help="print the report as JSON instead of a table")
    args = p.parse_args(argv)
    try:
        report = run(args.model, args.manifest, limit=args.limit, threads=args.threads, repeats=args.repeats,
                     onnx=args.onnx, onnx_int8=args.onnx_int8)
    except recog.RecogError as e:
        print(f"onnx_speed: error: {e}", file=sys.stderr)
        return 2
    print(json.dumps(report, indent=2) if args.json else table(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
