"""Average the weights of bundles that share one network (a "model soup", e.g. runs fine-tuned from one parent).

    python bench/soup.py OUT.safetensors A.safetensors B.safetensors [...] [--dev runs/splits/handwriting_dev.jsonl]

With --dev the average is read greedily on that dev manifest (PyTorch) and its CER / WER stored as metrics["dev"],
the figure the next run must beat (bench/wip/README.md); a fine-tune averaged with its parent often reads dev better
than either (2026-12-07: handwriting dev CER 12.79% against 12.84% and 12.95%).

Floating tensors are averaged, integer ones (counters) taken from the first bundle, whose header is kept.

A narrower bundle (fewer LSTM units or stem channels, e.g. the parent of a fine-tune that grew them with ``--init``)
is first widened to the first bundle's network as ``--init`` widens one (``recog.model.grow_network``): its units
and channels keep their weights and read nothing from the new ones, whose own weights are the first bundle's. So
the average holds the first bundle's new units with their outgoing weights scaled by its share. Put the widest
bundle first; the alphabets and every other setting must match.
"""

from __future__ import annotations

import argparse
from dataclasses import replace

import recog
from recog import Bundle
from recog.model import grow_network


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("bundles", nargs="+")
    ap.add_argument("--dev", help="dev manifest: measure the average (greedy) and store it as metrics['dev']")
    a = ap.parse_args()
    bundles = [Bundle.load(p) for p in a.bundles]
    first = bundles[0]
    widest = first.model_config
    for p, b in zip(a.bundles[1:], bundles[1:]):
        cfg = b.model_config
        if (replace(cfg, hidden=widest.hidden, stem_channels=widest.stem_channels) != widest
                or b.alphabet.chars != first.alphabet.chars):
            raise SystemExit(f"{p}: another network than {a.bundles[0]}'s; only bundles of one network (or one "
                             "narrower in LSTM units or stem channels) can be averaged")
        if cfg != widest:
            try:
                b.state_dict = grow_network(b.state_dict, first.state_dict)
            except ValueError as e:
                raise SystemExit(f"{p}: {e}; put the widest bundle first") from None
            print(f"{p}: widened to {widest.hidden} LSTM units, stem channels {list(widest.stem_channels)}")
    first.state_dict = {k: sum(b.state_dict[k] for b in bundles) / len(bundles) if v.is_floating_point() else v
                        for k, v in first.state_dict.items()}
    first.training["soup_of"] = list(a.bundles)
    out = first.save(a.out)
    if a.dev:
        r = recog.evaluate(a.dev, recog.load(out, decoder="greedy", engine="torch")).to_dict()
        first.metrics["dev"] = {"cer": r["cer"], "wer": r["wer"], "n": r["n"], "weights": f"average of {len(bundles)} bundles"}
        out = first.save(a.out)
        print(f"dev {a.dev}: CER {r['cer']:.2%}  WER {r['wer']:.2%}  ({r['n']} items)")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
