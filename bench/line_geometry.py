"""Greedy CER of a handwriting model with the image frontend's line geometry steps switched on and off.

    python bench/line_geometry.py --model handwriting --set hooker_dev=runs/splits/hooker_dev.jsonl \\
        --set dhsd_dev=runs/splits/dhsd_dev.jsonl [--set NAME=MANIFEST ...] [--threads 1]

For each set, one row per setting of the two steps (``LineImageConfig.refill_fill``: a pure-white polygon
fill gets the paper's level; ``straighten``: a slanted or curved line is levelled before cropping), the
model and its weights unchanged, so the rows show what the geometry alone does to a trained network.
"""

from __future__ import annotations

import argparse
import dataclasses

import torch

import recog
from recog.corpus import read_corpus

SETTINGS = [(False, False), (True, False), (False, True), (True, True)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="handwriting")
    ap.add_argument("--set", action="append", required=True, metavar="NAME=MANIFEST")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    rec = recog.load(args.model, decoder="greedy", device="cpu", engine="torch")
    base = rec.frontend.config
    print(f"{'set':<14} {'refill':>6} {'straighten':>10} {'CER %':>7} {'WER %':>7}")
    for spec in args.set:
        name, _, manifest = spec.partition("=")
        utts = read_corpus(manifest)
        for refill, straight in SETTINGS:
            rec.frontend.config = dataclasses.replace(base, refill_fill=refill, straighten=straight)
            report = recog.evaluate(utts, rec)
            print(f"{name:<14} {str(refill):>6} {str(straight):>10} {100 * report.cer:7.2f} {100 * report.wer:7.2f}",
                  flush=True)
    rec.frontend.config = base


if __name__ == "__main__":
    main()
