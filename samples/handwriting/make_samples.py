"""Recreate the synthetic handwriting samples in this folder (seeded; needs the fonts of .ci/fonts.sh).

    python samples/handwriting/make_samples.py [--out DIR]

Writes one PNG per sample and ``all.jsonl`` in the shared manifest format.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from recog_image.fonts import find_fonts
from recog_image.synth import fit_text, render_text

# (file stem, text, font id); fonts from the handwriting model's training set. The fonts were picked
# among renderings the shipped model (with its LM) reads exactly: of 102 renderings of five short
# texts in every training font that has the glyphs, it read 57 exactly (whole-line match).
SAMPLES = [
    ("strasse", "Straße", "comicneue-italic"),
    ("koeln_2024", "Köln 2024", "kleeone-regular"),
    ("hello_world", "hello world", "dkg"),
]
SEED = 2024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    args = parser.parse_args()
    fonts = {f.id: f for f in find_fonts()}
    lines = []
    for i, (stem, text, font_id) in enumerate(SAMPLES):
        if font_id not in fonts:
            raise SystemExit(f"font {font_id!r} is not installed; run .ci/fonts.sh")
        font = fonts[font_id]
        text = fit_text(text, font)
        render_text(text, font, random.Random(f"{SEED}:{i}")).save(args.out / f"{stem}.png")
        lines.append(json.dumps({"path": f"{stem}.png", "text": text, "writer": f"font:{font_id}"}, ensure_ascii=False))
    (args.out / "all.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
