"""Witten-Bell (the shipped character LM) against interpolated modified Kneser-Ney on the same n-gram counts.

    bash bench/build_lms.sh handwriting        # or HANDWRITING_LM_OUT=runs/lm_o7.lm.json.gz ... for a copy
    python bench/lm_smoothing.py --lm plugins/recog_image/models/handwriting.lm.json.gz --model handwriting \
        --dev runs/splits/dhsd_dev.jsonl --dev runs/splits/hooker_dev.jsonl --weights 0.4 0.6 0.8 --bonuses 1.0 1.5

Prints each dev set's per-character perplexity under both, then the beam + LM dev CER / WER of each over the grid
(the network runs once). Kneser-Ney is built here from the LM file's counts (continuation counts for the lower
orders, three discounts per order from the counts of counts) and fed to the same recursion as Witten-Bell:
P = (a(h, c) + g(h) P_lower) / Z(h). An experiment, not a second LM of the package (2026-12-07: not kept,
bench/HISTORY.md).
"""

from __future__ import annotations

import argparse
from collections import defaultdict

import recog
from recog.lm import CharNgramLM
from recog.lm_tools import dev_log_probs, read_texts, tune_beam


def kneser_ney(lm: CharNgramLM) -> CharNgramLM:
    """A copy of ``lm`` whose tables give interpolated modified Kneser-Ney probabilities."""
    kn = CharNgramLM(lm.order, lm.vocab, lm.counts, lm.meta)
    cont: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))  # N1+(. h c): distinct characters before h c
    for h, d in lm.counts.items():
        if h:
            for c in d:
                cont[h[1:]][c] += 1
    counts, totals = {}, {}
    for k in range(lm.order):
        table = {h: d for h, d in (lm.counts if k == lm.order - 1 else cont).items() if len(h) == k}
        n = [0] * 5  # counts of counts 1..4
        for d in table.values():
            for v in d.values():
                if v <= 4:
                    n[v] += 1
        y = n[1] / (n[1] + 2 * n[2])
        disc = [0.0, 1 - 2 * y * n[2] / n[1], 2 - 3 * y * n[3] / n[2], 3 - 4 * y * n[4] / n[3]]
        for h, d in table.items():
            total = sum(d.values())
            counts[h] = {c: v - disc[min(v, 3)] for c, v in d.items()}
            g = sum(disc[min(v, 3)] for v in d.values())
            totals[h] = (total - g, g)  # the recursion's (N, T): keep T / (N + T) = g / Z, divide by N + T = Z
    kn.counts, kn._totals = counts, totals
    return kn


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lm", required=True, help="a *.lm.json.gz file (its counts are used by both)")
    ap.add_argument("--model", required=True, help="the model whose network reads the dev sets")
    ap.add_argument("--dev", action="append", required=True, help="dev manifest (repeatable)")
    ap.add_argument("--weights", type=float, nargs="+", default=[0.4])
    ap.add_argument("--bonuses", type=float, nargs="+", default=[1.0])
    a = ap.parse_args()
    rec = recog.load(a.model)
    wb = CharNgramLM.load(a.lm)
    kn = kneser_ney(wb)
    for m in a.dev:
        texts = [rec.alphabet.normalize(t) for t in read_texts([m])]
        print(f"{m}: perplexity Witten-Bell {wb.perplexity(texts):.3f}  Kneser-Ney {kn.perplexity(texts):.3f}")
    sets = dev_log_probs(rec, a.dev)
    for name, lm in (("witten-bell", wb), ("kneser-ney", kn)):
        grid = tune_beam(rec, lm, a.dev, lm_weights=a.weights, char_bonuses=a.bonuses, sets=sets)["grid"]
        for g in grid:
            per = "  ".join(f"{s}: CER {v['cer']:.2%}" for s, v in g["sets"].items())
            print(f"{name} weight {g['lm_weight']} bonus {g['char_bonus']}: {per}  mean WER {g['wer']:.2%}")


if __name__ == "__main__":
    main()
