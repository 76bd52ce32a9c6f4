"""AN4-style prompts for synthetic speech: spelled letters, digits, numbers and command words.

    python bench/an4_prompts.py --n 600 --seed 0 [--with-an4-train ../shared/data/an4/train.jsonl] > prompts.txt

The vocabulary is AN4's own domain (census entry: names spelled out, digits, numbers, editing commands).
AN4 *test* transcripts are never used.
"""

from __future__ import annotations

import argparse
import json
import random
import string

DIGITS = ["ZERO", "OH", "ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX", "SEVEN", "EIGHT", "NINE"]
TEENS = ["TEN", "ELEVEN", "TWELVE", "THIRTEEN", "FOURTEEN", "FIFTEEN", "SIXTEEN", "SEVENTEEN", "EIGHTEEN", "NINETEEN"]
TENS = ["TWENTY", "THIRTY", "FORTY", "FIFTY", "SIXTY", "SEVENTY", "EIGHTY", "NINETY"]
COMMANDS = ["ERASE", "RUBOUT", "REPEAT", "ENTER", "GO", "STOP", "START", "YES", "NO", "HELP"]
MONTHS = ["JANUARY", "FEBRUARY", "MARCH", "APRIL", "MAY", "JUNE", "JULY", "AUGUST", "SEPTEMBER", "OCTOBER",
          "NOVEMBER", "DECEMBER"]


def number(rng: random.Random) -> str:
    k = rng.random()
    if k < 0.3:
        return rng.choice(TEENS)
    if k < 0.7:
        return rng.choice(TENS) + ("" if rng.random() < 0.3 else " " + rng.choice(DIGITS[2:]))
    return rng.choice(DIGITS[2:]) + " HUNDRED" + ("" if rng.random() < 0.4 else " " + rng.choice(TENS))


def prompt(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.35:  # a spelled word, maybe with a command first
        words = [rng.choice(COMMANDS[:2])] if rng.random() < 0.3 else []
        words += list(rng.choice(string.ascii_uppercase) for _ in range(rng.randint(2, 8)))
        if rng.random() < 0.4:
            words += [rng.choice(DIGITS) for _ in range(rng.randint(1, 3))]
        return " ".join(words)
    if kind < 0.6:  # digit strings (phone numbers, zip codes)
        return " ".join(rng.choice(DIGITS) for _ in range(rng.randint(3, 9)))
    if kind < 0.8:  # numbers and dates
        parts = [number(rng)]
        if rng.random() < 0.5:
            parts = [rng.choice(MONTHS), rng.choice(TEENS + TENS)] + (["NINETEEN", number(rng)] if rng.random() < 0.5 else [])
        return " ".join(parts)
    return " ".join(rng.choice(COMMANDS) for _ in range(rng.randint(1, 3)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=600)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--with-an4-train", help="also emit the transcripts of this AN4 *train* manifest")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    lines = [prompt(rng) for _ in range(a.n)]
    if a.with_an4_train:
        with open(a.with_an4_train, encoding="utf-8") as f:
            lines += [json.loads(line)["text"] for line in f if line.strip()]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
