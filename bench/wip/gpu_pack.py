"""Pack a handwriting training run for the GPU machine (the `device` tool of this workplace).

    python bench/wip/gpu_pack.py [--out .gpu] [--dhsd-lines 1700]

The device gets a copy of the working tree (64 MiB in all, `carry` included), not ../shared: this copies the
Hooker train/dev lines and DHSD train/dev words under short names into OUT (add OUT to .git/info/exclude; never
commit it), with manifests, the non-held-out handwriting fonts (to render synthetic lines there), the English
training sentences, a rapidfuzz wheel for the device's Python 3.12, a dist-info that registers the plugins from
the source tree, the two recipes and the driver `bench/wip/gpu_run.sh`. Move the large tracked binaries (exports/,
the plugins' models/ except plugins/recog_image/models/handwriting.safetensors, the run's INIT) out of the tree for the call, then run there:
`DEVICE=1 BUDGET=545 bash OUT/run.sh 2>&1 | tee $OUT/run.log` with carry [OUT] and timeout_s 590.
Results: $OUT/a (fine-tune of INIT) and $OUT/b (INIT widened to 256 LSTM units, then fine-tuned; both keep a
moving average of the weights): log.jsonl, model.safetensors (float16). Hooker train is the cleaned list.
"""

from __future__ import annotations

import argparse
import importlib.metadata as md
import json
import shutil
import subprocess
import sys
from pathlib import Path

from recog_image.fonts import HELD_OUT_FONTS

ROOT = Path(__file__).resolve().parents[2]
TOO_LARGE_FONTS = ("kleeone",)  # 42 MB of CJK glyphs: over the size limit


def copy_manifest(src: Path, out: Path, name: str, limit: int | None) -> int:
    rows = []
    for line in src.read_text(encoding="utf-8").splitlines()[:limit]:
        d = json.loads(line)
        p = (src.parent / d["path"]).resolve()
        new = f"img/{name}_{len(rows):05d}{p.suffix}"
        shutil.copyfile(p, out / new)
        rows.append({**d, "path": new})
    (out / f"{name}.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return len(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=".gpu")
    ap.add_argument("--splits", default="runs/splits")
    ap.add_argument("--dhsd-lines", type=int, default=1700, help="DHSD train words to take (the size limit)")
    a = ap.parse_args()
    out, splits = ROOT / a.out, ROOT / a.splits
    shutil.rmtree(out, ignore_errors=True)
    (out / "img").mkdir(parents=True)
    for name, src, limit in (("hooker_train", "hooker_train_clean", None), ("hooker_dev", "hooker_dev", None),
                             ("dhsd_train", "dhsd_train", a.dhsd_lines), ("dhsd_dev", "dhsd_dev", None)):
        print(name, copy_manifest(splits / f"{src}.jsonl", out, name, limit))
    (out / "dev.jsonl").write_text((out / "hooker_dev.jsonl").read_text() + (out / "dhsd_dev.jsonl").read_text())
    shutil.copyfile(splits / "english_sentences_train.txt", out / "english_sentences_train.txt")
    fonts = subprocess.run([sys.executable, "-m", "recog", "render", "--list-fonts"], capture_output=True, text=True,
                           check=True).stdout.splitlines()
    (out / "fonts").mkdir()
    for row in fonts:
        font_id, path = row.split("\t")
        if not font_id.startswith(HELD_OUT_FONTS + TOO_LARGE_FONTS):
            shutil.copy(path, out / "fonts")
    info = out / "site" / "recog-0.1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: recog\nVersion: 0.1.0\n")
    (info / "entry_points.txt").write_text("[recog]\nimage = recog_image.plugin\n")
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:",
                    "--python-version", "3.12", "--implementation", "cp", "--platform", "manylinux_2_28_x86_64",
                    "--platform", "manylinux_2_17_x86_64", "-d", str(out / "whl"), f"rapidfuzz=={md.version('rapidfuzz')}"],
                   check=True)
    here = Path(__file__).parent
    for f in ("gpu_run.sh", "gpu_a.recipe.json", "gpu_b.recipe.json"):
        shutil.copyfile(here / f, out / f.replace("gpu_", ""))
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"{out}: {size / 2**20:.1f} MiB (the tree and this must stay under 64 MiB)")


if __name__ == "__main__":
    main()
