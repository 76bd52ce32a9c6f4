"""Pick sentences for a synthetic corpus: a seeded sample of lines with a word count in range.

    python bench/pick_sentences.py runs/splits/english_sentences_train.txt --n 2500 --max-words 16 --seed 0 > out.txt
"""

from __future__ import annotations

import argparse
import random


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("text", help="UTF-8 file, one sentence per line")
    ap.add_argument("--n", type=int, required=True, help="sentences to pick")
    ap.add_argument("--min-words", type=int, default=3)
    ap.add_argument("--max-words", type=int, default=16)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    with open(a.text, encoding="utf-8") as f:
        lines = [s.strip() for s in f if a.min_words <= len(s.split()) <= a.max_words]
    random.Random(a.seed).shuffle(lines)
    print("\n".join(lines[: a.n]))


if __name__ == "__main__":
    main()
