"""Fine-tuning to one hand: CER on that hand's held-out lines versus the number of its lines fine-tuned on.

    python bench/splits.py
    python bench/finetune_curve.py --pool runs/splits/dhsd_test.jsonl --writer 12 --sizes 0,50,100 [--epochs 8]

    # a hand with hundreds of lines that the model never saw: a font held out of all training, with held-out text
    recog render --out runs/hand_kristi --count 1000 --seed 3 --fonts kristi --text runs/splits/english_sentences_test.txt
    python bench/finetune_curve.py --pool runs/hand_kristi/all.jsonl --writer font:kristi --sizes 0,50,200,800 --test-lines 100

Takes one writer's lines from --pool (a writer the base model never saw: DHSD test writers, or a PAGE/ALTO
folder of your own hand), keeps the last --test-lines of them for testing, and fine-tunes the base model on the
first N for each N in --sizes (`recog train --init MODEL`, one process per size, --threads each). Prints
greedy CER/WER per N; N = 0 is the base model. The pool's other writers are never used.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
from pathlib import Path

import recog
from recog.corpus import read_corpus

ROOT = Path(__file__).resolve().parents[1]


def _write(utts, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [{"path": str(Path(u.path).resolve()), "text": u.text, "writer": u.group} for u in utts]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pool", required=True, help="corpus holding the new hand (JSONL manifest with file paths)")
    ap.add_argument("--writer", required=True, help="the writer (group) to adapt to")
    ap.add_argument("--model", default="handwriting")
    ap.add_argument("--sizes", default="0,50,100", help="comma-separated numbers of fine-tuning lines")
    ap.add_argument("--test-lines", type=int, default=60)
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--lr", type=float, default=5e-4)
    ap.add_argument("--out", default=str(ROOT / "runs" / "finetune_curve"))
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    utts = [u for u in read_corpus(a.pool) if u.group == a.writer]
    if len(utts) <= a.test_lines:
        raise SystemExit(f"writer {a.writer!r} has {len(utts)} lines in {a.pool}; need more than --test-lines")
    random.Random(a.seed).shuffle(utts)
    test, pool = utts[-a.test_lines :], utts[: -a.test_lines]
    out = Path(a.out)
    test_m = _write(test, out / "test.jsonl")
    print(f"writer {a.writer}: {len(pool)} lines to fine-tune on, {len(test)} test lines")
    for n in [int(s) for s in a.sizes.split(",")]:
        if n > len(pool):
            print(f"N={n}: only {len(pool)} lines available, skipped")
            continue
        model = a.model
        if n:
            train_m = _write(pool[:n], out / f"train_{n}.jsonl")
            run = out / f"run_{n}"
            # no dev set: the last epoch is kept (choosing a checkpoint on the test lines would tune to them)
            cmd = [sys.executable, "-m", "recog", "train", "--train", str(train_m), "--dev-fraction", "0",
                   "--frontend", "image", "--init", a.model, "--epochs", str(a.epochs), "--lr", str(a.lr),
                   "--warmup-steps", "20", "--batch-size", "8", "--out", str(run), "--quiet"]
            subprocess.run(cmd, check=True)
            model = str(run / "model.safetensors")
        r = recog.evaluate(test_m, recog.load(model, decoder="greedy"))
        print(f"N={n:4d} lines: CER {r.cer:.2%}  WER {r.wer:.2%}  ({r.n} test lines)", flush=True)


if __name__ == "__main__":
    main()
