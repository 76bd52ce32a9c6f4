"""Write speaker/writer-disjoint manifests carved from ../shared/data (paths stay pointing into it).

    python bench/splits.py [--data ../shared/data] [--out runs/splits]

an4_train.jsonl / an4_dev.jsonl: AN4 train speakers split 90/10 by speaker (seed 0); AN4 test is untouched.
fsdd_train.jsonl: all FSDD recordings (4 speakers; digits only).
dhsd_train/dev/test.jsonl: DHSD split by writer (seed 0): 4 writers dev, 5 writers test, the rest train.
"""

from __future__ import annotations

import argparse
import json
import os
import random
from pathlib import Path


def _read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _write(rows: list[dict], src_dir: Path, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8") as f:
        for r in rows:
            r = dict(r, path=os.path.relpath((src_dir / r["path"]).resolve(), out.parent.resolve()))
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"{out}: {len(rows)} items")


def _split_groups(rows: list[dict], key: str, n_out: list[int], seed: int) -> list[list[dict]]:
    groups = sorted({r[key] for r in rows})
    random.Random(seed).shuffle(groups)
    parts, start = [], 0
    for n in n_out:
        held = set(groups[start : start + n])
        parts.append([r for r in rows if r[key] in held])
        start += n
    rest = set(groups[start:])
    return [[r for r in rows if r[key] in rest], *parts]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(Path(__file__).resolve().parents[1].parent / "shared" / "data"))
    ap.add_argument("--out", default="runs/splits")
    a = ap.parse_args()
    data, out = Path(a.data), Path(a.out)
    an4 = _read(data / "an4" / "train.jsonl")
    n_dev = round(0.1 * len({r["speaker"] for r in an4}))
    train, dev = _split_groups(an4, "speaker", [n_dev], seed=0)
    _write(train, data / "an4", out / "an4_train.jsonl")
    _write(dev, data / "an4", out / "an4_dev.jsonl")
    _write(_read(data / "an4" / "test.jsonl"), data / "an4", out / "an4_test.jsonl")
    _write(_read(data / "fsdd" / "all.jsonl"), data / "fsdd", out / "fsdd_train.jsonl")
    dhsd = _read(data / "dhsd" / "all.jsonl")
    train, dev, test = _split_groups(dhsd, "writer", [4, 5], seed=0)
    _write(train, data / "dhsd", out / "dhsd_train.jsonl")
    _write(dev, data / "dhsd", out / "dhsd_dev.jsonl")
    _write(test, data / "dhsd", out / "dhsd_test.jsonl")


if __name__ == "__main__":
    main()
