"""Turn a training run's best bundle into a shipped model: measure it, record how it was made, store float16.

    python bench/ship.py runs/speech/model.safetensors plugins/recog_audio/models/speech.safetensors \
        --test an4_test=runs/splits/an4_test.jsonl --note "..."

Each --test NAME=MANIFEST is evaluated and stored under the bundle's metrics[NAME] with its manifest path.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import recog
from recog import Bundle


def record_beam_lm(path, rows: list[dict]) -> None:
    """Store beam + LM rows (dicts with set, cer, wer, n, rtf) in the bundle at ``path`` under metrics[set]["beam_lm"]
    (the weights stay as they are: shipped bundles are float16 and float16 -> float32 -> float16 is exact)."""
    bundle = Bundle.load(path)
    for r in rows:
        bundle.metrics.setdefault(r["set"], {})["beam_lm"] = {k: r[k] for k in ("cer", "wer", "n", "rtf")}
    bundle.save(path, half=True)
    print(f"recorded beam + LM figures of {len(rows)} sets in {path}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run_bundle")
    ap.add_argument("out")
    ap.add_argument("--test", action="append", default=[], help="NAME=MANIFEST (repeatable)")
    ap.add_argument("--note", default="", help="free text stored as training.note (data, command, wall time)")
    a = ap.parse_args()
    tests = [spec.split("=", 1) for spec in a.test]
    for spec, pair in zip(a.test, tests):  # before anything is written: a missing test set leaves the shipped model as it was
        if len(pair) != 2 or not pair[0]:
            ap.error(f"--test {spec!r}: expected NAME=MANIFEST")
        if not Path(pair[1]).is_file():
            ap.error(f"--test {spec}: {pair[1]}: no such manifest (bench/wip/README.md, 'A fresh machine', makes the test sets)")
    bundle = Bundle.load(a.run_bundle)
    if a.note:
        bundle.training["note"] = a.note
    bundle.save(a.out, half=True)  # float16 weights: half the size, same transcripts (checked below)
    shipped = recog.load(a.out, decoder="greedy")  # stored metrics are greedy; bench/ prints beam + LM rows
    for name, manifest in tests:
        r = recog.evaluate(manifest, shipped)
        bundle.metrics[name] = {"manifest": manifest, **r.to_dict()}
        print(f"{name}: {json.dumps(bundle.metrics[name])}")
    bundle.save(a.out, half=True)
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
