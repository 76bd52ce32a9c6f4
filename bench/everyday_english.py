"""Everyday English text for the handwriting character LM, from training-side sources only.

    pip install -e '.[lm]'      # wordfreq (its English word frequencies; data CC BY-SA 4.0)
    python bench/everyday_english.py --transcripts runs/splits/so762_train.jsonl runs/splits/native_train.jsonl \
        --words 37000 --seed 0 > runs/everyday_english.txt

The handwriting LM's corpora (LJ Speech, Hooker's letters, German place names) miss everyday words: "hello"
never occurs in them, so after "hell" the LM preferred "s". This prints

- the distinct transcripts of the given *train* manifests, all-capitals ones in sentence case (the handwriting
  model keeps case), and
- lines of 6-12 words drawn from wordfreq's 50,000 most frequent English words, weighted by frequency: their
  spelling, with the everyday words as often as people write them ("I" capitalised). Word order is random, so
  only the n-grams inside a word and at its edges carry information.

Measured on the dev sets (`recog lm --tune`, beam + LM CER, bench/wip/handwriting-ema1 network): the LM text of
bench/build_lms.sh alone Hooker dev 19.27% / DHSD dev 3.69%; with the transcripts 19.15% / 3.67%; with both
(37,000 words) 19.12% / 3.71%; 100,000 words 19.45% / 3.77%; CMUdict's 106,000 words once each (names
included, no frequencies) 19.62% / 3.88%.
"""
from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

from recog.errors import RecogError
from recog.lm_tools import read_texts


def transcripts(paths: list[Path]) -> list[str]:
    """Distinct ``text`` fields of JSONL manifests (read as ``recog lm --text`` reads them), in order;
    all-capitals ones in sentence case."""
    try:
        texts = read_texts(paths)
    except RecogError as e:
        sys.exit(f"everyday_english.py: {e}")
    texts = [t.strip() for t in texts if t.strip()]
    return list(dict.fromkeys(t[0] + t[1:].lower() if t.isupper() else t for t in texts))


def word_lines(n_words: int, seed: int, top: int = 50_000) -> list[str]:
    """About ``n_words`` English words drawn by frequency, as lines of 6-12 words."""
    try:
        import wordfreq
    except ImportError:
        sys.exit("everyday_english.py: --words needs wordfreq: pip install -e '.[lm]'")
    words = wordfreq.top_n_list("en", top)
    weights = [wordfreq.word_frequency(w, "en") for w in words]
    rng = random.Random(seed)
    out, n = [], 0
    while n < n_words:
        k = rng.randint(6, 12)
        drawn = rng.choices(words, weights=weights, k=k)
        out.append(" ".join("I" + w[1:] if w == "i" or w.startswith("i'") else w for w in drawn))
        n += k
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--transcripts", type=Path, nargs="*", default=[], help="train manifests (JSONL)")
    ap.add_argument("--words", type=int, default=0, help="how many frequency-drawn words to add (0: none)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    lines = transcripts(args.transcripts) + (word_lines(args.words, args.seed) if args.words else [])
    if not lines:
        sys.exit("everyday_english.py: nothing to print: give --transcripts and/or --words")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
