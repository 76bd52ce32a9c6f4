"""Does lowering the blank's log-probability before decoding (sherpa-onnx's ``--blank-penalty``) trade the models'
many deletions for right characters? Prints CER, WER and substitutions/deletions/insertions per penalty.

    python bench/blank_penalty.py --model speech --set runs/splits/so762_dev.jsonl --penalties 0 0.5 1 2
    python bench/blank_penalty.py --model handwriting --set runs/splits/hooker_dev.jsonl --penalties 0 0.5 1

Measured 2026-12-06 (greedy): it helps neither model, deletions turn into substitutions and insertions
(speechocean762 dev WER 64.41% at 0 -> 66.56% at 2; Hooker dev CER 21.36% at 0 -> 22.12% at 1), so no decoder has it.
"""

from __future__ import annotations

import argparse
from typing import Any

import torch

import recog
from recog.corpus import read_corpus


class BlankPenalty:
    """A CTC decoder that subtracts ``penalty`` from the blank's (id 0) log-probability, then calls ``inner``."""

    def __init__(self, inner: Any, penalty: float = 0.0) -> None:
        self.inner, self.penalty = inner, penalty

    def __call__(self, log_probs: Any, lengths: Any) -> list:
        """``log_probs`` (B, T', V) tensor or array."""
        lp = log_probs.clone() if hasattr(log_probs, "clone") else log_probs.copy()
        lp[..., 0] -= self.penalty
        return self.inner(lp, lengths)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", required=True)
    ap.add_argument("--set", required=True, help="a manifest")
    ap.add_argument("--decoder", default="greedy")
    ap.add_argument("--penalties", type=float, nargs="+", default=[0.0, 0.5, 1.0, 2.0])
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    rec = recog.load(args.model, decoder=args.decoder)
    rec.decoder = BlankPenalty(rec.decoder)
    utts = read_corpus(args.set)
    for p in args.penalties:
        rec.decoder.penalty = p
        report = recog.evaluate(utts, rec)
        e = report.char_errors()
        print(f"{args.decoder} blank penalty {p:g}: CER {100 * report.cer:.2f}%  WER {100 * report.wer:.2f}%  "
              f"S/D/I {e.substitutions}/{e.deletions}/{e.insertions}", flush=True)


if __name__ == "__main__":
    main()
