"""How much a line model loses when its input holds less detail: is the frontend's line height a bottleneck?

    OMP_NUM_THREADS=1 python bench/resolution_probe.py runs/splits/hooker_dev.jsonl --model handwriting \
        --sample 300 --heights 48 36 28 [--out /tmp/res]

Each line image is shrunk to the detail of a line ``H`` pixels high (scaled by ``H / --source-height``, Lanczos) and
scaled back to its size (bicubic), so the frontend sees the same geometry with less in it; the model reads each
copy (greedy, PyTorch) and the script prints CER per height, ``full`` being the untouched images. Where cutting the
detail from the model's own height downwards costs little, a taller line height would gain little too (it would
cost ~1.5x a training step: the conv stem grows with the square of the height, the LSTM with the width). Measured on
2026-12-07 (bench/HISTORY.md): Hooker dev, 300 lines, full 19.67%, 48 px 19.59%, 36 px 20.06%, 28 px 20.97%.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

from recog.errors import DataError
from recog.manifest import read_manifest


def degrade(image: Image.Image, factor: float) -> Image.Image:
    """``image`` with the detail of itself scaled by ``factor`` (< 1), at its own size."""
    w, h = image.size
    small = image.resize((max(1, round(w * factor)), max(1, round(h * factor))), Image.LANCZOS)
    return small.resize((w, h), Image.BICUBIC)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("manifest", type=Path, help="a JSONL manifest of line images")
    ap.add_argument("--model", default="handwriting")
    ap.add_argument("--sample", type=int, default=300, help="lines drawn from the manifest (seed 1)")
    ap.add_argument("--heights", type=int, nargs="+", default=[48, 36, 28],
                    help="line heights whose detail the copies keep (the model's own first)")
    ap.add_argument("--source-height", type=int, default=64,
                    help="the images' height in pixels (Hooker's crops are 64): the factor is HEIGHT / this")
    ap.add_argument("--out", type=Path, help="folder for the copies (default: a temporary one)")
    args = ap.parse_args()

    try:
        rows = read_manifest(args.manifest)
    except DataError as e:
        raise SystemExit(f"resolution_probe: {e}") from None
    rows = random.Random(1).sample(rows, min(args.sample, len(rows)))
    out = args.out or Path(tempfile.mkdtemp(prefix="resolution_"))
    for tag, factor in [("full", 1.0)] + [(f"{h} px", h / args.source_height) for h in args.heights]:
        folder = out / tag.replace(" ", "")
        folder.mkdir(parents=True, exist_ok=True)
        lines = []
        for i, utt in enumerate(rows):
            image = Image.open(utt.path).convert("L")
            target = folder / f"{i}.png"
            (degrade(image, factor) if factor < 1 else image).save(target)
            lines.append(json.dumps({"path": str(target.resolve()), "text": utt.text}, ensure_ascii=False))
        (folder / "all.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        result = subprocess.run([sys.executable, "-m", "recog", "eval", str(folder / "all.jsonl"), "--model",
                                 args.model, "--decoder", "greedy", "--engine", "torch", "--quiet"],
                                capture_output=True, text=True)
        if result.returncode != 0:
            raise SystemExit(f"resolution_probe: recog eval failed on {folder / 'all.jsonl'}: {result.stderr.strip()}")
        summary = next((line for line in result.stdout.splitlines() if line.startswith("CER")), result.stdout.strip())
        print(f"{tag:>6}: {summary}", flush=True)


if __name__ == "__main__":
    main()
