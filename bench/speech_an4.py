"""AN4 test WER, CER and real-time factor of a speech model (greedy decoding, CPU unless CUDA is present).

    python bench/speech_an4.py [--model speech] [--data ../shared/data]

AN4 test: 130 utterances from 10 speakers that are not in AN4 train (the shipped model never saw them).
Same numbers as: recog eval ../shared/data/an4/test.jsonl --model speech --decoder greedy --json (greedy)
and recog eval ../shared/data/an4/test.jsonl --model speech --json (the default: beam search + the model's LM).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch

import recog


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="speech")
    ap.add_argument("--data", default=str(Path(__file__).resolve().parents[1].parent / "shared" / "data"))
    ap.add_argument("--show-errors", type=int, default=0, help="print this many wrong transcripts")
    a = ap.parse_args()
    manifest = Path(a.data) / "an4" / "test.jsonl"
    if not manifest.exists():
        raise SystemExit(f"{manifest} not found: this benchmark needs ../shared/data")
    rec = recog.load(a.model, decoder="greedy")
    recog.evaluate(manifest, rec)  # warm-up (first-call allocations), not timed
    report = recog.evaluate(manifest, rec)
    print(f"model {a.model}  device {rec.device}  threads {torch.get_num_threads()}")
    print(f"AN4 test (130 utterances, 10 unseen speakers): WER {report.wer:.2%}  CER {report.cer:.2%}  "
          f"RTF {report.rtf:.4f}  ({report.input_seconds:.0f} s of audio in {report.wall_seconds:.1f} s)")
    print(json.dumps(report.to_dict()))
    if recog.model_lm_path(recog.resolve_model(a.model)).is_file():
        beam = recog.load(a.model, decoder="beam")
        b = recog.evaluate(manifest, beam)
        print(f"AN4 test, beam search + the model's character LM {beam.decoder.config}: WER {b.wer:.2%}  CER {b.cer:.2%}  "
              f"RTF {b.rtf:.4f}")
        print(json.dumps({"decoder": "beam", **b.to_dict()}))
    else:
        print("no NAME.lm.json.gz beside the model: beam search + LM skipped")
    shown = 0
    for ref, hyp in zip(report.references, report.hypotheses):
        if ref != hyp and shown < a.show_errors:
            print(f"  REF {ref}\n  HYP {hyp}")
            shown += 1


if __name__ == "__main__":
    main()
