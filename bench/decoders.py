"""Decoders side by side: accuracy and decode time as a share of encoder time, per test set.

    python bench/decoders.py --model speech --set an4_test=runs/splits/an4_test.jsonl \
        --words-lm runs/lms/speech.words.lm.gz
    python bench/decoders.py --model handwriting --set dhsd_test=runs/splits/dhsd_test.jsonl \
        --set hooker_lines=runs/splits/hooker_test.jsonl --limit 200 --words-lm runs/lms/handwriting.words.lm.gz
    python bench/decoders.py --model speech --set an4_test=runs/splits/an4_test.jsonl --beam-variant prune=-5

The network runs once per item (batch 1, one thread: ``OMP_NUM_THREADS=1``); its time is the encoder
time. Each decoder then decodes the stored log-probabilities: ``greedy``; ``beam`` with the model's
character LM and its tuned settings (``NAME.lm.json.gz``); ``words`` with a word LM and its tuned
settings. Prints one JSON line per (set, decoder) and a table.
"""

from __future__ import annotations

import argparse
import json
import time

import torch

import recog
from recog.corpus import read_corpus
from recog.decoders import own_lms, resolve_decoder
from recog.metrics import error_counts


def log_probs(rec, manifest: str, limit: int | None):
    """Per item: normalised reference, log-probs (T', V) and the encoder seconds."""
    utts = read_corpus(manifest)[:limit]
    out = []
    for u in utts:
        ft = rec.frontend_for(u.path).features(u.path)
        t0 = time.perf_counter()
        with torch.inference_mode():
            lp, n = rec.model(ft.data[None].to(rec.device), torch.tensor([ft.num_frames]))
        enc = time.perf_counter() - t0
        out.append((rec.alphabet.normalize(u.text), lp[0, : int(n[0])].float().cpu().numpy(), enc))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True)
    ap.add_argument("--set", action="append", required=True, metavar="NAME=MANIFEST")
    ap.add_argument("--words-lm", help="a NAME.words.lm.gz for the words decoder (default: the model's own, if any)")
    ap.add_argument("--limit", type=int, help="first N items of each set")
    ap.add_argument("--beam-variant", action="append", default=[], metavar="KEY=VALUE[,KEY=VALUE]",
                    help="also the char-LM beam with these BeamOptions changed, e.g. prune=-5,beam_token=8 (repeatable)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    rec = recog.load(args.model, decoder="greedy", device="cpu")
    path = recog.resolve_model(args.model)
    own = own_lms(path)
    decoders = {"greedy": resolve_decoder("greedy", rec.alphabet)}
    if "beam" in own:
        decoders["beam+charlm"] = resolve_decoder("beam", rec.alphabet, {"lm": str(own["beam"])})
        for spec in args.beam_variant:
            opts = {k: float(v) if "." in v or "e" in v else int(v)
                    for k, _, v in (kv.partition("=") for kv in spec.split(","))}
            decoders[f"beam+charlm {spec}"] = resolve_decoder("beam", rec.alphabet, {"lm": str(own["beam"]), **opts})
    words = args.words_lm or (str(own["words"]) if "words" in own else None)
    if words:
        decoders["words+wordlm"] = resolve_decoder("words", rec.alphabet, {"lm": words})
    rows = []
    for spec in args.set:
        name, _, manifest = spec.partition("=")
        items = log_probs(rec, manifest, args.limit)
        enc = sum(e for _, _, e in items)
        frames = sum(lp.shape[0] for _, lp, _ in items)
        for dname, dec in decoders.items():
            t0 = time.perf_counter()
            hyps = [dec.decode_one(lp).text for _, lp, _ in items]
            dt = time.perf_counter() - t0
            c = error_counts([r for r, _, _ in items], [" ".join(h.split()) for h in hyps])
            row = {"set": name, "decoder": dname, "n": len(items), "mean_frames": round(frames / len(items), 1),
                   "wer": round(100 * c.wer, 2), "cer": round(100 * c.cer, 2), "encoder_s": round(enc, 2),
                   "decode_s": round(dt, 2), "decode_share_of_encoder": round(dt / enc, 3)}
            rows.append(row)
            print(json.dumps(row), flush=True)
    print("\n| set | decoder | n | frames/item | WER % | CER % | encoder s | decode s | decode/encoder |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['set']} | {r['decoder']} | {r['n']} | {r['mean_frames']} | {r['wer']} | {r['cer']} | "
              f"{r['encoder_s']} | {r['decode_s']} | {r['decode_share_of_encoder']:.2f} |")


if __name__ == "__main__":
    main()
