"""Drop training lines a model cannot read at all: usually a crop that misses its text, not hard handwriting.

    recog eval runs/splits/hooker_train.jsonl --model handwriting --decoder greedy --items ITEMS.jsonl
    python bench/drop_unreadable.py runs/splits/hooker_train.jsonl ITEMS.jsonl --out runs/splits/hooker_train_clean.jsonl \
        [--list-out bench/hooker_unreadable.txt]

Keeps every manifest row whose item in ITEMS (``recog eval --items``, same manifest) has fewer than
``--min-chars`` reference characters or a CER of at most ``--max-cer``; prints how many it dropped and on which
pages. On Hooker most dropped lines come from pages whose polygons miss the writing (JDH_2_16_40_*: empty strips
with a stroke tip) or cut the tops and bottoms off the letters (the ``_l_`` crops of pages 75_*). Only ever used on
training manifests: test sets stay as they are. ``--list-out`` writes the dropped lines' file names, one a line:
``bench/hooker_unreadable.txt`` is that list for Hooker train, from which ``bench/splits.py`` writes
``hooker_train_clean.jsonl`` without needing the model that judged them.
"""

from __future__ import annotations

import argparse
import collections
import json
from pathlib import Path

from recog.atomic import atomic_write_text


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("manifest", type=Path)
    ap.add_argument("items", type=Path, help="recog eval --items output for the same manifest")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--max-cer", type=float, default=0.5)
    ap.add_argument("--min-chars", type=int, default=10)
    ap.add_argument("--list-out", type=Path, help="also write the dropped lines' file names here, one a line")
    args = ap.parse_args()

    rows = [json.loads(line) for line in args.manifest.read_text(encoding="utf-8").splitlines() if line.strip()]
    items = [json.loads(line) for line in args.items.read_text(encoding="utf-8").splitlines() if line.strip()]
    if len(rows) != len(items):
        raise SystemExit(f"{args.items}: {len(items)} items, but {args.manifest} has {len(rows)} rows")
    kept, dropped, names = [], collections.Counter(), []
    for row, item in zip(rows, items):
        if Path(item["name"]).name != Path(row["path"]).name:  # the reference may be normalised; the file name is not
            raise SystemExit(f"{args.items}: item {item['name']} does not match {args.manifest} ({row['path']})")
        unreadable = item["chars"] >= args.min_chars and item["char_errors"] / item["chars"] > args.max_cer
        if unreadable:
            dropped[row.get("page", "?")] += 1
            names.append(Path(row["path"]).name)
        else:
            kept.append(row)
    atomic_write_text(args.out, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in kept))
    if args.list_out:
        header = (f"# {len(names)} lines of {args.manifest.name} read at CER > {args.max_cer:.0%} "
                  f"(>= {args.min_chars} characters): bench/drop_unreadable.py\n")
        atomic_write_text(args.list_out, header + "".join(n + "\n" for n in sorted(names)))
    print(f"kept {len(kept)} of {len(rows)} lines; dropped {sum(dropped.values())} "
          f"(CER > {args.max_cer:.0%}, >= {args.min_chars} characters) on {len(dropped)} pages")
    for page, n in dropped.most_common(10):
        print(f"  {page}: {n}")


if __name__ == "__main__":
    main()
