"""Handwriting model vs Tesseract on writers and fonts held out of training.

    python bench/splits.py                     # runs/splits/dhsd_test.jsonl (5 held-out writers), hooker_test.jsonl
    recog render --out runs/synth_hw_test --count 300 --seed 2 \\
        --fonts kristi stevehand kaushanscript-regular becausewementor-regular joscelyn-regular
    python bench/handwriting.py [--model handwriting] [--dhsd runs/splits/dhsd_test.jsonl] [--synth runs/synth_hw_test/all.jsonl]
        [--hooker runs/splits/hooker_test.jsonl]     # Hooker's letters: 33 test pages (708 lines) of the page split
    python bench/handwriting.py --record --no-tesseract   # also store the beam + LM rows in the bundle (recog models --json)

Prints CER and WER of the model on each set (greedy, and beam search with the model's character LM when
``NAME.lm.json.gz`` ships beside it), and Tesseract's (``--psm 7``, ``-l eng`` on Hooker, ``-l deu`` otherwise) on the same images when the
``tesseract`` binary is installed (apt-get install tesseract-ocr tesseract-ocr-eng tesseract-ocr-deu); both scored after the model's
text normaliser. `recog eval runs/splits/dhsd_test.jsonl --model handwriting --json` gives the first number
(beam + LM, the default decoder when the model ships an LM); add `--decoder greedy` for the greedy ones.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
from pathlib import Path

import recog
from recog.data import read_manifest
from recog.metrics import error_counts


def tesseract(paths: list[Path], lang: str = "deu") -> list[str]:
    out = []
    for p in paths:
        r = subprocess.run(["tesseract", str(p), "-", "-l", lang, "--psm", "7"], capture_output=True, text=True)
        out.append(r.stdout.strip())
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="handwriting")
    ap.add_argument("--dhsd", default="runs/splits/dhsd_test.jsonl")
    ap.add_argument("--synth", default="runs/synth_hw_test/all.jsonl")
    ap.add_argument("--hooker", default="runs/splits/hooker_test.jsonl")
    ap.add_argument("--no-tesseract", action="store_true", help="skip the Tesseract comparison")
    ap.add_argument("--record", action="store_true",
                    help="store the beam + LM rows in the model's bundle (metrics[SET]['beam_lm'], recog models --json)")
    a = ap.parse_args()
    rec = recog.load(a.model, decoder="greedy")
    lm = recog.model_lm_path(recog.resolve_model(a.model))
    beam = recog.load(a.model, decoder="beam") if lm.is_file() else None
    have_tess = shutil.which("tesseract") is not None and not a.no_tesseract
    if a.record and (beam is None or not str(recog.resolve_model(a.model)).endswith(".safetensors")):
        raise SystemExit("--record needs a bundle (a name or .safetensors) with its NAME.lm.json.gz")
    sets = (("Hooker test pages", a.hooker, "hooker_test"), ("DHSD held-out writers", a.dhsd, "dhsd_test_writers"),
            ("synthetic lines, held-out fonts", a.synth, "synth_heldout_fonts"))  # names: bench/ship.py --test
    recorded = []
    for name, manifest, key in sets:
        if not Path(manifest).exists():
            print(f"{name}: {manifest} not found (see the commands above)")
            continue
        if beam is not None:  # the default decoder of a model that ships an LM comes first
            b = recog.evaluate(manifest, beam)
            print(f"{name} ({b.n} images): recog, beam search + character LM (default) CER {b.cer:.2%}  "
                  f"WER {b.wer:.2%}  {b.items_per_second:.1f} lines/s")
            recorded.append({"set": key, "cer": round(b.cer, 5), "wer": round(b.wer, 5), "n": b.n, "rtf": None})
        report = recog.evaluate(manifest, rec)
        print(f"{name} ({report.n} images): recog, greedy CER {report.cer:.2%}  WER {report.wer:.2%}  "
              f"{report.items_per_second:.1f} lines/s")
        if have_tess:
            utts = read_manifest(manifest)
            lang = "eng" if "Hooker" in name else "deu"
            hyps = [rec.alphabet.normalize(t) for t in tesseract([u.path for u in utts], lang)]
            c = error_counts(report.references, hyps)
            print(f"{name} ({report.n} images): tesseract -l {'eng' if 'Hooker' in name else 'deu'} --psm 7 CER {c.cer:.2%}  WER {c.wer:.2%}")
        else:
            print("tesseract not installed (or --no-tesseract): skipped the comparison")
    if a.record:
        from ship import record_beam_lm  # bench/ship.py

        record_beam_lm(recog.resolve_model(a.model), recorded)


if __name__ == "__main__":
    main()
