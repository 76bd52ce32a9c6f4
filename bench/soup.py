"""Average the weights of bundles that share one network (a "model soup", e.g. runs fine-tuned from one parent).

    python bench/soup.py OUT.safetensors A.safetensors B.safetensors [...]
    recog eval runs/splits/speech_dev.jsonl --model OUT.safetensors --decoder greedy --engine torch --workers 1

Floating tensors are averaged, integer ones (counters) taken from the first bundle, whose header is kept.
"""

from __future__ import annotations

import argparse

from recog import Bundle


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("bundles", nargs="+")
    a = ap.parse_args()
    bundles = [Bundle.load(p) for p in a.bundles]
    first = bundles[0]
    for p, b in zip(a.bundles[1:], bundles[1:]):
        if b.model_config != first.model_config or b.state_dict.keys() != first.state_dict.keys():
            raise SystemExit(f"{p}: another network than {a.bundles[0]}'s; only bundles of one network can be averaged")
    first.state_dict = {k: sum(b.state_dict[k] for b in bundles) / len(bundles) if v.is_floating_point() else v
                        for k, v in first.state_dict.items()}
    first.training["soup_of"] = list(a.bundles)
    print(f"wrote {first.save(a.out)}")


if __name__ == "__main__":
    main()
