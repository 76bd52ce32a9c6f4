"""Decoders side by side: accuracy and decode time as a share of encoder time, per test set.

    python bench/decoders.py --model speech --set an4_test=runs/splits/an4_test.jsonl \
        --words-lm runs/lms/speech.words.lm.gz
    python bench/decoders.py --model handwriting --set dhsd_test=runs/splits/dhsd_test.jsonl \
        --set hooker_lines=runs/splits/hooker_test.jsonl --limit 200 --words-lm runs/lms/handwriting.words.lm.gz
    python bench/decoders.py --model speech --set an4_test=runs/splits/an4_test.jsonl --beam-variant prune=-5
    python bench/decoders.py --model speech --set an4_test=runs/splits/an4_test.jsonl --flashlight 5,12

The network runs once per item (batch 1, one thread: ``OMP_NUM_THREADS=1``); its time is the encoder
time. Each decoder then decodes the stored log-probabilities: ``greedy``; ``beam`` with the model's
character LM and its tuned settings (``NAME.lm.json.gz``); ``words`` with a word LM and its tuned
settings. Prints one JSON line per (set, decoder) and a table.

``--flashlight BT[,BT...]`` adds flashlight-text's lexicon-free decoder (C++) with the model's character LM,
two ways, at each beam_size_token BT: ``fl-callback`` keeps this project's objective exactly (LM + per-character
bonus, the LM called back into Python); ``fl-kenlm`` runs all in C++ with the LM as KenLM (the character LM
written as ARPA: the n-grams seen in training, Witten-Bell interpolation as back-off weights; texts start
from ``<s>`` = the longest start padding) and the bonus added per non-blank frame, since KenLM refuses the
positive log-probabilities that folding it into the LM would take. Frames where no character passes the
beam's ``prune`` are merged into one blank frame first (the project's beam skips them too).
"""

from __future__ import annotations

import argparse
import json
import math
import time

import numpy as np

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


def char_arpa(lm, path: str) -> None:
    """The character LM as an ARPA file (natural log -> log10; the space as ``|``)."""
    from recog.lm import BOS, EOS

    def tok(c: str) -> str:
        return "|" if c == " " else "</s>" if c == EOS else c

    ln10 = math.log(10)
    grams: list[dict] = [{} for _ in range(lm.order + 1)]
    bows = {}
    for h in lm.counts:
        nb = len(h) - len(h.lstrip(BOS))
        if nb and len(h) != lm.order - 1:  # start contexts: the fully padded one stands for <s>
            continue
        ctx = (("<s>",) if nb else ()) + tuple(tok(c) for c in h[nb:])
        n, t = sum(lm.counts[h].values()), len(lm.counts[h])
        row = lm.log_dist(h)
        for c in lm.counts[h]:
            if c in lm.symbols:
                grams[len(ctx) + 1][ctx + (tok(c),)] = row[lm.symbols.index(c)]
        bows[ctx] = math.log(t / (n + t))
    for c, v in zip(lm.symbols, lm.log_dist("")):
        grams[1][(tok(c),)] = v
    grams[1][("<s>",)] = -99 * ln10
    grams[1][("<unk>",)] = -99 * ln10
    out = ["\\data\\"] + [f"ngram {n}={len(grams[n])}" for n in range(1, lm.order + 1)]
    for n in range(1, lm.order + 1):
        out += ["", f"\\{n}-grams:"]
        for g, v in grams[n].items():
            line = f"{v / ln10:.6f}\t{' '.join(g)}"
            if n < lm.order and g in bows:
                line += f"\t{bows[g] / ln10:.6f}"
            out.append(line)
    open(path, "w").write("\n".join(out + ["", "\\end\\", ""]))


def flashlight_decoders(alphabet, beam, widths: list[int]) -> dict:
    """``fl-callback BT`` and ``fl-kenlm BT`` decoders (see the module's docstring) as ``lp -> text``."""
    import tempfile

    from flashlight.lib.text import decoder as fl
    from flashlight.lib.text.decoder.kenlm import KenLM
    from flashlight.lib.text.dictionary import Dictionary

    lm, o, chars = beam.lm, beam.options, alphabet.chars
    arpa = tempfile.NamedTemporaryFile(suffix=".arpa", delete=False).name
    char_arpa(lm, arpa)
    words = Dictionary()
    for c in ["<blank>", *chars]:
        words.add_entry("|" if c == " " else c)
    words.add_entry("<unk>")
    kenlm = KenLM(arpa, words)
    sil = chars.index(" ") + 1 if " " in chars else 0
    ln10 = math.log(10)

    class Bonus(fl.LM):  # this project's objective: lm_weight * log P + char_bonus, called back per extension
        def __init__(self) -> None:
            fl.LM.__init__(self)

        def start(self, start_with_nothing):
            return kenlm.start(start_with_nothing)

        def score(self, state, token):
            nxt, s = kenlm.score(state, token)
            return nxt, o.lm_weight * ln10 * s + o.char_bonus

        def finish(self, state):
            nxt, s = kenlm.finish(state)
            return nxt, o.lm_weight * ln10 * s

    callback = Bonus()

    def merged(lp: np.ndarray, frame_bonus: float) -> np.ndarray:
        """(T', V) -> (T'', V): each run of frames where no character passes ``prune`` becomes one blank frame
        (its blank log-probs summed, characters impossible); ``frame_bonus`` added to characters elsewhere."""
        quiet = lp[:, 1:].max(axis=1) < o.prune  # (T',)
        first = ~quiet | np.r_[True, ~quiet[:-1]]  # a frame that starts a row: not quiet, or first of a quiet run
        out = lp[first].astype(np.float32)  # (T'', V)
        out[:, 1:] += frame_bonus
        rows = np.flatnonzero(quiet[first])
        out[rows, 0] = np.bincount(np.cumsum(first) - 1, weights=lp[:, 0] * quiet, minlength=len(out))[rows]
        out[rows, 1:] = -1e4
        return np.ascontiguousarray(out)

    def make(lm_model, weight: float, frame_bonus: float, width: int):
        opts = fl.LexiconFreeDecoderOptions(
            beam_size=o.beam, beam_size_token=width, beam_threshold=10.0, lm_weight=weight, sil_score=0.0,
            log_add=True, criterion_type=fl.CriterionType.CTC)
        dec = fl.LexiconFreeDecoder(opts, lm_model, sil, 0, [])

        def decode(lp: np.ndarray) -> str:
            x = merged(lp, frame_bonus)
            toks = dec.decode(x.ctypes.data, x.shape[0], x.shape[1])[0].tokens
            return "".join(chars[t - 1] for i, t in enumerate(toks) if t > 0 and (i == 0 or t != toks[i - 1]))

        decode.keep = (lm_model, dec)  # type: ignore[attr-defined]  # the C++ side does not keep a Python LM alive
        return decode

    out = {}
    for w in widths:
        out[f"fl-callback {w}"] = make(callback, 1.0, 0.0, w)
        out[f"fl-kenlm {w}"] = make(kenlm, o.lm_weight * ln10, o.char_bonus, w)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True)
    ap.add_argument("--set", action="append", required=True, metavar="NAME=MANIFEST")
    ap.add_argument("--words-lm", help="a NAME.words.lm.gz for the words decoder (default: the model's own, if any)")
    ap.add_argument("--lm", help="a NAME.lm.json.gz for the beam decoder (default: the model's own, if any)")
    ap.add_argument("--limit", type=int, help="first N items of each set")
    ap.add_argument("--beam-variant", action="append", default=[], metavar="KEY=VALUE[,KEY=VALUE]",
                    help="also the char-LM beam with these BeamOptions changed, e.g. prune=-5,beam_token=8 (repeatable)")
    ap.add_argument("--flashlight", metavar="BT[,BT]", help="also flashlight-text's lexicon-free decoder at these "
                    "beam_size_token values (see above)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    rec = recog.load(args.model, decoder="greedy", device="cpu")
    path = recog.resolve_model(args.model)
    own = own_lms(path)
    if args.lm:
        own["beam"] = args.lm
    decoders = {"greedy": resolve_decoder("greedy", rec.alphabet)}
    if "beam" in own:
        decoders["beam+charlm"] = resolve_decoder("beam", rec.alphabet, {"lm": str(own["beam"])})
        for spec in args.beam_variant:
            opts = {k: float(v) if "." in v or "e" in v else int(v)
                    for k, _, v in (kv.partition("=") for kv in spec.split(","))}
            decoders[f"beam+charlm {spec}"] = resolve_decoder("beam", rec.alphabet, {"lm": str(own["beam"]), **opts})
    fl_decoders = {}
    if args.flashlight and "beam" in own and decoders["beam+charlm"].lm.order > 6:
        print(f"--flashlight skipped: the character LM has order {decoders['beam+charlm'].lm.order}, flashlight-text's "
              "KenLM reads at most order 6")
    elif args.flashlight and "beam" in own:
        fl_decoders = flashlight_decoders(rec.alphabet, decoders["beam+charlm"], [int(w) for w in args.flashlight.split(",")])
    words = args.words_lm or (str(own["words"]) if "words" in own else None)
    if words:
        decoders["words+wordlm"] = resolve_decoder("words", rec.alphabet, {"lm": words})
    rows = []
    for spec in args.set:
        name, _, manifest = spec.partition("=")
        items = log_probs(rec, manifest, args.limit)
        enc = sum(e for _, _, e in items)
        frames = sum(lp.shape[0] for _, lp, _ in items)
        runs = {name: (lambda d: lambda lp: d.decode_one(lp).text)(dec) for name, dec in decoders.items()}
        for dname, fn in {**runs, **fl_decoders}.items():
            t0 = time.perf_counter()
            hyps = [fn(lp) for _, lp, _ in items]
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
