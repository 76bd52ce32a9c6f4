"""Fine-tuning to one hand: CER on that hand's held-out lines versus the number of its lines fine-tuned on.

    python bench/splits.py
    python bench/finetune_curve.py --pool runs/splits/dhsd_test.jsonl --writer 12 --sizes 0,50,100 [--epochs 8]

    # a hand with hundreds of lines that the model never saw: a font held out of all training, with held-out text
    recog render --out runs/hand_kristi --count 1000 --seed 3 --fonts kristi --text runs/splits/english_sentences_test.txt
    python bench/finetune_curve.py --pool runs/hand_kristi/all.jsonl --writer font:kristi --sizes 0,50,200,800 --test-lines 100

    # your own hand: a folder of PAGE/ALTO pages with their images (every line of it; lines keep their pages)
    python bench/finetune_curve.py --pool my_pages/ --sizes 0,50,200 --test-lines 60

Takes one writer's lines from --pool (a writer the base model never saw: a DHSD test writer), or every line of a
pool of one hand (no --writer: a folder of PAGE/ALTO pages, whose lines are saved as PNGs under --out), shuffles
them (--seed), keeps the last --test-lines of them for testing, and fine-tunes the base model on the first N for
each N in --sizes (`recog train --init MODEL`, one process per size). Prints
greedy CER/WER per N; N = 0 is the base model, and each fine-tune is compared with it on the same test lines by a
paired bootstrap (`recog.paired_bootstrap`, resampling pages where the lines have them, else lines): the CER
change with its 95% interval, and whether the fine-tune halves the base model's CER even at the interval's end
(the target of issue 16: 200 lines of a new hand halve its CER). The pool's other writers are never used.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
from pathlib import Path

import numpy as np

import recog
from recog.corpus import read_corpus

ROOT = Path(__file__).resolve().parents[1]


def _page(u) -> str | None:
    """The page a line comes from: the manifest's ``page`` field, or the page of a PAGE/ALTO line (group "page:...")."""
    page = u.extra.get("page")
    if page is None and isinstance(u.group, str) and u.group.startswith("page:"):
        page = u.group
    return page


def write_manifest(utts, path: Path) -> Path:
    """A JSONL manifest of ``utts`` that ``recog train`` and ``recog eval`` read: file paths made absolute, and a line
    cropped from a PAGE/ALTO page (an in-memory image) saved as a PNG beside the manifest. Keeps each line's page."""
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    rows = []
    for i, u in enumerate(utts):
        if isinstance(u.path, np.ndarray):  # (h, w) uint8 crop of a page line
            img = path.parent / f"{path.stem}_lines" / f"{i:05d}.png"
            img.parent.mkdir(parents=True, exist_ok=True)
            Image.fromarray(u.path).save(img)
            src = str(img.resolve())
        else:
            src = str(Path(u.path).resolve())
        row = {"path": src, "text": u.text, "writer": u.group}
        page = _page(u)
        if page is not None:
            row["page"] = page
        rows.append(row)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def select_hand(utts, writer: str | None, pool: str) -> list:
    """The lines of one hand: the writer's (a manifest of many writers), or every line when ``writer`` is None
    (a pool of one hand, such as a folder of PAGE/ALTO pages, whose groups are its pages)."""
    if writer is None:
        return list(utts)
    mine = [u for u in utts if u.group == writer]
    if not mine:
        groups = sorted({str(u.group) for u in utts})
        raise SystemExit(f"{pool}: no lines of writer {writer!r} (writers: {', '.join(groups[:12])}"
                         f"{', ...' if len(groups) > 12 else ''}); leave --writer out to use every line")
    return mine


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pool", required=True,
                    help="corpus holding the new hand: a JSONL manifest, or a folder or list of PAGE/ALTO pages")
    ap.add_argument("--writer", help="the writer (group) to adapt to; left out, every line of the pool (one hand)")
    ap.add_argument("--model", default="handwriting")
    ap.add_argument("--sizes", default="0,50,100", help="comma-separated numbers of fine-tuning lines")
    ap.add_argument("--test-lines", type=int, default=60)
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--lr", type=float, default=5e-4)
    ap.add_argument("--out", default=str(ROOT / "runs" / "finetune_curve"))
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    try:
        utts = select_hand(read_corpus(a.pool), a.writer, a.pool)
    except recog.RecogError as e:
        raise SystemExit(f"finetune_curve: {e}") from None
    hand = f"writer {a.writer}" if a.writer else f"{a.pool} (every line)"
    if len(utts) <= a.test_lines:
        raise SystemExit(f"{hand} has {len(utts)} lines; need more than --test-lines ({a.test_lines})")
    random.Random(a.seed).shuffle(utts)
    test, pool = utts[-a.test_lines :], utts[: -a.test_lines]
    out = Path(a.out)
    test_m = write_manifest(test, out / "test.jsonl")
    print(f"{hand}: {len(pool)} lines to fine-tune on, {len(test)} test lines")
    base = None  # the N = 0 report, when --sizes holds 0
    for n in [int(s) for s in a.sizes.split(",")]:
        if n > len(pool):
            print(f"N={n}: only {len(pool)} lines available, skipped")
            continue
        model = a.model
        if n:
            train_m = write_manifest(pool[:n], out / f"train_{n}.jsonl")
            run = out / f"run_{n}"
            # no dev set: the last epoch is kept (choosing a checkpoint on the test lines would tune to them)
            cmd = [sys.executable, "-m", "recog", "train", "--train", str(train_m), "--dev-fraction", "0",
                   "--frontend", "image", "--init", a.model, "--epochs", str(a.epochs), "--lr", str(a.lr),
                   "--warmup-steps", "20", "--batch-size", "8", "--out", str(run), "--quiet"]
            subprocess.run(cmd, check=True)
            model = str(run / "model.safetensors")
        r = recog.evaluate(test_m, recog.load(model, decoder="greedy"))
        line = f"N={n:4d} lines: CER {r.cer:.2%}  WER {r.wer:.2%}  ({r.n} test lines)"
        if n == 0:
            base = r
        elif base is not None:
            line += "; " + _against_base(base, r)
        print(line, flush=True)


def _against_base(base: recog.EvalReport, tuned: recog.EvalReport) -> str:
    """The fine-tune's CER change against the base model's, with its interval: one writer, so pages (else lines)
    are what is resampled, never writers."""
    c = recog.paired_bootstrap(base, tuned, metric="cer", by="page")
    halved = "halved" if c.high <= -c.a / 2 else ("halved at the estimate only" if c.delta <= -c.a / 2 else "not halved")
    return (f"{100 * c.delta:+.2f} points against N=0 (95% interval {100 * c.low:+.2f} to {100 * c.high:+.2f}, "
            f"{c.clusters} {'pages' if _has_pages(base) else 'lines'}); {halved}")


def _has_pages(report: recog.EvalReport) -> bool:
    return any(it.extra.get("page") for it in report.items)


if __name__ == "__main__":
    main()
