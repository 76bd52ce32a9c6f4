"""Write speaker/writer-disjoint manifests carved from ../shared/data (paths stay pointing into it).

    python bench/splits.py [--data ../shared/data] [--out runs/splits]

an4_train.jsonl / an4_dev.jsonl: AN4 train speakers split 90/10 by speaker (seed 0); AN4 test is untouched.
fsdd_train.jsonl / fsdd_test.jsonl: FSDD (isolated digits, 8 kHz) split by speaker (seed 0): one speaker
    (nicolas, 500 recordings) held out for test, three train. Before the commit that added fsdd_test (2026-12-06)
    fsdd_train held all four: the shipped speech model has heard nicolas, so fsdd_test is a held-out set only for
    models trained from scratch on the three-speaker list (bench/speech.py --sets fsdd_test says so).
dhsd_train/dev/test.jsonl: DHSD split by writer (seed 0): 4 writers dev, 5 writers test, the rest train.
so762_train/dev/test.jsonl: speechocean762 train speakers split by speaker (12 held out for dev, seed 0); its
    own test (125 other speakers) is untouched.
native_train/dev/test.jsonl: CMU ARCTIC (bdl, slt) and cathy split by prompt, so no sentence crosses splits:
    test = ARCTIC prompts b0440..b0539, dev = a0560..a0593, the rest train (the three voices are in all three).
speech_dev.jsonl: an4_dev + so762_dev + native_dev, the checkpoint-selection set of the English speech model.
hooker_train/dev/test.jsonl: Joseph Hooker's letter lines; its page split (test untouched), 16 train pages
    held out for dev (seed 0). hooker_train_clean.jsonl: hooker_train less the lines named in
    bench/hooker_unreadable.txt (crops that miss their writing: bench/drop_unreadable.py), the training list.
handwriting_dev.jsonl: hooker_dev + dhsd_dev, the checkpoint-selection set of the handwriting model.
english_sentences_train.txt / english_sentences_test.txt: ../shared/data/text sentences for synthetic speech
    and lines: the first 100 Harvard sentences (the file holds 20) are held out for synthetic tests, the rest train.
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
    _write_mixed([(r, src_dir) for r in rows], out)


def _write_mixed(rows: list[tuple[dict, Path]], out: Path) -> None:
    """Rows from several source folders; each ``path`` becomes relative to the output manifest's folder."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8") as f:
        for r, src in rows:
            r = dict(r, path=os.path.relpath((src / r["path"]).resolve(), out.parent.resolve()))
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
    train, test = _split_groups(_read(data / "fsdd" / "all.jsonl"), "speaker", [1], seed=0)
    _write(train, data / "fsdd", out / "fsdd_train.jsonl")
    _write(test, data / "fsdd", out / "fsdd_test.jsonl")
    _english_speech(data, out)
    _hooker(data, out)
    _sentences(data, out)
    dhsd = _read(data / "dhsd" / "all.jsonl")
    train, dev, test = _split_groups(dhsd, "writer", [4, 5], seed=0)
    _write(train, data / "dhsd", out / "dhsd_train.jsonl")
    _write(dev, data / "dhsd", out / "dhsd_dev.jsonl")
    _write(test, data / "dhsd", out / "dhsd_test.jsonl")
    _write(_read(out / "hooker_dev.jsonl") + _read(out / "dhsd_dev.jsonl"), out, out / "handwriting_dev.jsonl")


def _prompt(row: dict) -> str:
    """ARCTIC prompt id of a row: 'arctic_a0001' from '.../arctic_a0001.opus' or '.../arctic_a0001_1592748574.opus'."""
    stem = Path(row["path"]).stem
    return "_".join(stem.split("_")[:2])


def _english_speech(data: Path, out: Path) -> None:
    _dev_from_train(data / "speechocean762", "speaker", 12, out / "so762")
    parts: dict[str, list[tuple[dict, Path]]] = {"train": [], "dev": [], "test": []}
    for name in ("arctic", "cathy"):
        for r in _read(data / name / "all.jsonl"):
            p = _prompt(r)
            num = int(p[-4:])
            side = "test" if p[7] == "b" and num >= 440 else "dev" if p[7] == "a" and num >= 560 else "train"
            parts[side].append((r, data / name))
    for side, rows in parts.items():
        _write_mixed(rows, out / f"native_{side}.jsonl")
    combined = []
    for name in ("an4_dev", "so762_dev", "native_dev"):
        combined += _read(out / f"{name}.jsonl")
    _write(combined, out, out / "speech_dev.jsonl")


def _dev_from_train(src: Path, key: str, n_dev: int, prefix: Path) -> None:
    """PREFIX_train/dev/test.jsonl: the set's own test untouched, ``n_dev`` groups of its train held out for dev."""
    train, dev = _split_groups(_read(src / "train.jsonl"), key, [n_dev], seed=0)
    _write(train, src, Path(f"{prefix}_train.jsonl"))
    _write(dev, src, Path(f"{prefix}_dev.jsonl"))
    _write(_read(src / "test.jsonl"), src, Path(f"{prefix}_test.jsonl"))


UNREADABLE = Path(__file__).resolve().parent / "hooker_unreadable.txt"


def _hooker(data: Path, out: Path) -> None:
    _dev_from_train(data / "hooker", "page", 16, out / "hooker")
    drop = {line.strip() for line in UNREADABLE.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")}
    train = _read(out / "hooker_train.jsonl")
    missing = drop - {Path(r["path"]).name for r in train}
    if missing:
        raise SystemExit(f"{UNREADABLE}: {len(missing)} listed lines are not in hooker train "
                         f"(e.g. {sorted(missing)[0]}): has ../shared/data/hooker changed?")
    _write([r for r in train if Path(r["path"]).name not in drop], out, out / "hooker_train_clean.jsonl")


def _sentences(data: Path, out: Path) -> None:
    harvard = (data / "text" / "harvard_sentences.txt").read_text(encoding="utf-8").splitlines()
    lj = (data / "text" / "ljspeech_sentences.txt").read_text(encoding="utf-8").splitlines()
    harvard = [s.strip() for s in harvard if s.strip()]
    lj = [s.strip() for s in lj if s.strip()]
    (out / "english_sentences_test.txt").write_text("\n".join(harvard[:100]) + "\n", encoding="utf-8")
    (out / "english_sentences_train.txt").write_text("\n".join(harvard[100:] + lj) + "\n", encoding="utf-8")
    print(f"{out / 'english_sentences_train.txt'}: {len(harvard) - 100 + len(lj)} sentences; test: 100")


if __name__ == "__main__":
    main()
