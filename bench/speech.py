"""A speech model on every held-out set: WER, CER and real-time factor, greedy and beam search + the model's LM.

    python bench/splits.py                 # runs/splits/*.jsonl (speaker-, sentence- and voice-disjoint)
    python bench/speech.py [--model speech] [--sets so762_test,an4_test,native_test,tts_en,tts_an4] [--limit N]
    python bench/speech.py --model exports/speech.int8.onnx   # what the base install (no PyTorch) runs
    python bench/speech.py --record     # also store the beam + LM rows in the bundle (recog models --json shows them)
    python bench/speech.py --engine auto   # the network as the CLI runs it by default (its int8 export): RTF

--record writes each set's beam + LM figures under the bundle's metrics[SET]["beam_lm"] (the greedy figures are
there already, from bench/ship.py); rebuild the exports afterwards (bash exports/build.sh: they carry the metrics).

Sets (none of them seen in training or used to pick checkpoints or tune the LM):
  so762_test   speechocean762 test: 2,500 utterances, 125 non-native speakers (adults, children) not in training
  an4_test     AN4 test: 130 utterances, 10 speakers not in AN4 train
  native_test  CMU ARCTIC bdl/slt and cathy reading ARCTIC prompts b0440..b0539 (sentences not in training;
               the voices are)
  tts_en       the Harvard sentences (held out of every text source; 20 in ../shared) spoken by 12 eSpeak NG voices held out of
               training (recog_tts.split_variants)
  tts_an4      200 AN4-style prompts (bench/an4_prompts.py, seed 99) spoken by 12 held-out voices
Not in the default list:
  fsdd_test    FSDD speaker nicolas: 500 isolated digits at 8 kHz (bench/splits.py). Held out of training only since
               the commit that added it (2026-12-06): every speech model shipped before then heard him, so its figure
               there is not a held-out one; it is for models trained from scratch on the three-speaker fsdd_train.
The synthetic sets are written once to runs/tts_test_en and runs/tts_test_an4.
`recog eval MANIFEST --model speech --decoder greedy --json` reproduces a greedy row; without --decoder the
default (beam + the model's LM) row.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import torch

import recog

ROOT = Path(__file__).resolve().parents[1]
SETS = ("so762_test", "an4_test", "native_test", "tts_en", "tts_an4")
EXTRA_SETS = ("fsdd_test",)  # see the docstring: not held out for models trained before its split


def _synthetic(name: str, splits: Path) -> Path:
    """Manifest of a synthetic held-out-voice set, generated on first use."""
    out = ROOT / "runs" / f"tts_test_{name[4:]}"
    manifest = out / "manifest.jsonl"
    if manifest.is_file():
        return manifest
    if name == "tts_en":
        text = splits / "english_sentences_test.txt"
    else:
        text = ROOT / "runs" / "prompts_test_an4.txt"
        prompts = subprocess.run([sys.executable, str(ROOT / "bench" / "an4_prompts.py"), "--n", "200", "--seed", "99"],
                                 check=True, capture_output=True, text=True).stdout
        text.write_text(prompts, encoding="utf-8")
    subprocess.run([sys.executable, "-m", "recog", "synth", "--from", str(text), "--out", str(out), "--voices", "12",
                    "--split", "test", "--seed", "99", "--quiet"], check=True)
    return manifest


def _limited(manifest: Path, limit: int | None) -> Path:
    if not limit:
        return manifest
    rows = manifest.read_text(encoding="utf-8").splitlines()[:limit]
    out = ROOT / "runs" / "bench_limited" / manifest.name
    out.parent.mkdir(parents=True, exist_ok=True)
    base = manifest.parent.resolve()
    fixed = []
    for r in rows:
        d = json.loads(r)
        d["path"] = str((base / d["path"]).resolve())
        fixed.append(json.dumps(d, ensure_ascii=False))
    out.write_text("\n".join(fixed) + "\n", encoding="utf-8")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="speech")
    ap.add_argument("--splits", default=str(ROOT / "runs" / "splits"))
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--limit", type=int, help="first N items of each set (quick look; not for reported numbers)")
    ap.add_argument("--no-beam", action="store_true", help="greedy rows only")
    ap.add_argument("--show-errors", type=int, default=0, help="print this many wrong transcripts per set")
    ap.add_argument("--record", action="store_true", help="store the beam + LM rows in the model's bundle (see above)")
    ap.add_argument("--engine", default="torch", choices=("torch", "auto"),
                    help="what runs the network: PyTorch (default; the bundle's own figures) or, with auto, the int8 "
                    "export the CLI runs by default")
    a = ap.parse_args()
    if a.record and (a.limit or a.no_beam or a.engine != "torch" or not str(recog.resolve_model(a.model)).endswith(".safetensors")):
        raise SystemExit("--record needs a bundle (a name or .safetensors), every item (no --limit), the beam rows "
                         "and the PyTorch engine")
    splits = Path(a.splits)
    engine = {} if a.engine == "torch" else {"engine": a.engine}  # an .onnx model takes no engine
    rec = recog.load(a.model, decoder="greedy", **engine)
    has_lm = recog.model_lm_path(recog.resolve_model(a.model)).is_file()
    beam = recog.load(a.model, decoder="beam", **engine) if has_lm and not a.no_beam else None
    where = getattr(rec, "device", None) or f"onnxruntime {','.join(getattr(rec, 'providers', []))}"
    print(f"model {a.model}  engine {a.engine}  device {where}  threads {torch.get_num_threads()}")
    rows = []
    for name in a.sets.split(","):
        if name not in SETS + EXTRA_SETS:
            raise SystemExit(f"unknown set {name!r}; sets: {', '.join(SETS + EXTRA_SETS)}")
        if name in EXTRA_SETS:
            print(f"{name}: held out only for models trained from scratch after its split (see --help)")
        manifest = _synthetic(name, splits) if name.startswith("tts_") else splits / f"{name}.jsonl"
        if not manifest.is_file():
            raise SystemExit(f"{manifest} not found: run python bench/splits.py (it needs ../shared/data)")
        manifest = _limited(manifest, a.limit)
        for label, r in (("greedy", rec), ("beam + LM", beam)):
            if r is None:
                continue
            report = recog.evaluate(manifest, r)
            rows.append({"set": name, "decoder": label, **report.to_dict()})
            print(f"{name:12s} {label:10s} n {report.n:5d}  WER {report.wer:7.2%}  CER {report.cer:7.2%}  "
                  f"RTF {report.rtf:.4f}", flush=True)
            shown = 0
            for ref, hyp in zip(report.references, report.hypotheses):
                if ref != hyp and shown < a.show_errors:
                    print(f"    REF {ref}\n    HYP {hyp}")
                    shown += 1
    print(json.dumps(rows))
    if a.record:
        from ship import record_beam_lm  # bench/ship.py

        record_beam_lm(recog.resolve_model(a.model), [r for r in rows if r["decoder"] == "beam + LM"])


if __name__ == "__main__":
    main()
