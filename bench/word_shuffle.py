"""Lines re-spliced from their words in new orders: a probe of what a line model recalls, and training lines.

    # probe: does the model read the ink or recall its training lines' word sequences?
    OMP_NUM_THREADS=1 python bench/word_shuffle.py probe --model handwriting \
        --set train=runs/splits/hooker_train_clean.jsonl --set test=runs/splits/hooker_test.jsonl --lines 200

    # training lines: align a manifest's lines once (where each word lies), then compose new lines from them
    OMP_NUM_THREADS=1 python bench/word_shuffle.py align runs/splits/hooker_train_clean.jsonl --out runs/hooker_words.jsonl
    python bench/word_shuffle.py make runs/hooker_words.jsonl --count 6700 --seed 27 --out runs/hooker_shuffled_s27

``align`` force-aligns every line of a manifest to its text with a model (``Recognizer.align``) and writes one
JSONL row per line: the image, its text, page and writer, and each word's column span, cut half-way across the
gap between one word's last character and the next one's first. Lines the model cannot align, or whose words
it counts differently, are left out (counted on stderr).

``make`` writes ``--count`` new lines (PNGs and ``all.jsonl``, paths relative to it): each takes the word count
of a random aligned line and that many words drawn at random from all the words of the line's *page* (same ink,
paper and scan), put side by side at that line's height. The text is new, the ink real: a model trained on them
cannot lean on the word sequences of the training lines. Seeded; the same seed gives the same lines.

``probe`` takes lines of three words or more from each set (seed 0), aligns each and re-splices it with its own
words in a random new order (never the old one), the text permuted the same way, and reads the untouched and
the shuffled lines (greedy, PyTorch). Both kinds of set lose the same things in the shuffle (the splices, the
sentence's sense); a model that has learnt its training lines' word sequences loses more on those than on unseen
ones. 2026-12-07, the shipped model: Hooker train 6.48% -> 16.85% (+10.37), test 20.51% -> 27.24% (+6.73).
"""

from __future__ import annotations

import argparse
import collections
import json
import random
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

from recog.atomic import atomic_write_text
from recog.manifest import read_manifest


def word_cuts(words: list[tuple[float, float]], width: int) -> list[tuple[int, int]]:
    """Column spans ``[start, end)`` of aligned words ``(start, end)``: cut half-way across the gaps between them.

    The spans tile ``[0, width)``: the first starts at 0, the last ends at ``width``.
    """
    bounds = [0]
    for left, right in zip(words, words[1:]):
        bounds.append(min(width, max(bounds[-1], int(round((left[1] + right[0]) / 2)))))
    bounds.append(width)
    return list(zip(bounds, bounds[1:]))


def splice(pieces: list[np.ndarray], height: int) -> np.ndarray:
    """Grey images ``(h_i, w_i)`` scaled to ``height`` (aspect kept) and put side by side: ``(height, sum w')``."""
    out = []
    for p in pieces:
        if p.shape[0] != height:
            w = max(1, round(p.shape[1] * height / p.shape[0]))
            p = np.asarray(Image.fromarray(p).resize((w, height), Image.BICUBIC))
        out.append(p)
    return np.concatenate(out, axis=1)


def new_order(n: int, rng: random.Random) -> list[int]:
    """A random permutation of ``range(n)`` other than the identity (n >= 2)."""
    while True:
        order = rng.sample(range(n), n)
        if order != list(range(n)):
            return order


def _align(rec, utt) -> list[tuple[str, float, float]] | None:
    """``(word, start, end)`` of each word of an utterance's text in its image, or None where alignment fails."""
    from recog.errors import RecogError

    try:
        words = rec.align(str(utt.path), utt.text).words
    except RecogError:
        return None
    if len(words) != len(utt.text.split()):
        return None
    return [(w.text, w.start, w.end) for w in words]


def _grey(path: str) -> np.ndarray:
    return np.asarray(Image.open(path).convert("L"))


def cmd_align(args: argparse.Namespace) -> None:
    from recog import api

    rec = api.load(args.model, decoder="greedy")
    rows, out, skipped = read_manifest(args.manifest), [], 0
    for utt in rows:
        words = _align(rec, utt)
        if words is None:
            skipped += 1
            continue
        width = Image.open(utt.path).size[0]
        spans = word_cuts([(s, e) for _, s, e in words], width)
        out.append({"path": str(Path(utt.path).resolve()), "page": utt.extra.get("page"), "writer": utt.group,
                    "words": [w for w, _, _ in words], "spans": spans})
    atomic_write_text(args.out, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in out))
    print(f"aligned {len(out)} of {len(rows)} lines ({skipped} left out: alignment failed or words miscounted)",
          file=sys.stderr)


def compose(lines: list[dict], count: int, seed: int) -> list[tuple[list[tuple[int, int]], int]]:
    """``count`` new lines from aligned ``lines``: each as its words ``(line index, word index)`` and the index
    of the line it copies the word count (and the height) of.

    Each takes a random line's word count and draws that many words, without repeats, from every word of the
    line's page (lines without a page are a page of their own).
    """
    rng = random.Random(seed)
    pages: dict = collections.defaultdict(list)
    for i, line in enumerate(lines):
        key = line.get("page") or f"line:{i}"
        pages[key].extend((i, j) for j in range(len(line["words"])))
    out = []
    for _ in range(count):
        model = rng.randrange(len(lines))
        pool = pages[lines[model].get("page") or f"line:{model}"]
        n = min(len(lines[model]["words"]), len(pool))
        out.append((rng.sample(pool, n), model))
    return out


def cmd_make(args: argparse.Namespace) -> None:
    lines = [json.loads(line) for line in args.words.read_text(encoding="utf-8").splitlines() if line.strip()]
    if not lines:
        raise SystemExit(f"{args.words}: no aligned lines")
    args.out.mkdir(parents=True, exist_ok=True)
    cache: dict[int, np.ndarray] = {}

    def image(i: int) -> np.ndarray:
        if i not in cache:
            cache[i] = _grey(lines[i]["path"])
        return cache[i]

    rows = []
    for k, (picks, model_index) in enumerate(compose(lines, args.count, args.seed)):
        model = lines[model_index]
        pieces = [image(i)[:, slice(*lines[i]["spans"][j])] for i, j in picks]
        name = f"{k:05d}.png"
        Image.fromarray(splice(pieces, image(model_index).shape[0])).save(args.out / name)
        rows.append({"path": name, "text": " ".join(lines[i]["words"][j] for i, j in picks),
                     "writer": model.get("writer"), "page": model.get("page")})
    atomic_write_text(args.out / "all.jsonl", "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    print(f"{len(rows)} lines from {len(lines)} aligned lines -> {args.out / 'all.jsonl'}", file=sys.stderr)


def cmd_probe(args: argparse.Namespace) -> None:
    from recog import api
    from recog.metrics import cer

    rec = api.load(args.model, decoder="greedy")
    out = args.out or Path(tempfile.mkdtemp(prefix="word_shuffle_"))
    for spec in args.set:
        name, manifest = spec.split("=", 1)
        rows = [u for u in read_manifest(manifest) if len(u.text.split()) >= 3]
        rows = random.Random(0).sample(rows, min(args.lines, len(rows)))
        rng = random.Random(0)
        refs: dict[str, list[str]] = {"untouched": [], "shuffled": []}
        hyps: dict[str, list[str]] = {"untouched": [], "shuffled": []}
        skipped = 0
        (out / name).mkdir(parents=True, exist_ok=True)
        for i, utt in enumerate(rows):
            words = _align(rec, utt)
            if words is None:
                skipped += 1
                continue
            image = _grey(utt.path)
            spans = word_cuts([(s, e) for _, s, e in words], image.shape[1])
            order = new_order(len(words), rng)
            target = out / name / f"{i}.png"
            Image.fromarray(splice([image[:, spans[j][0] : spans[j][1]] for j in order], image.shape[0])).save(target)
            for kind, source, ref in (("untouched", str(utt.path), " ".join(w for w, _, _ in words)),
                                      ("shuffled", str(target), " ".join(words[j][0] for j in order))):
                refs[kind].append(ref)
                hyps[kind].append(rec.transcribe(source).text)
        rate = {k: 100 * cer(refs[k], hyps[k]) for k in refs}
        print(f"{name}: {len(rows) - skipped} lines; CER untouched {rate['untouched']:.2f}%, shuffled "
              f"{rate['shuffled']:.2f}% ({rate['shuffled'] - rate['untouched']:+.2f}); {skipped} skipped", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="mode", required=True)
    a = sub.add_parser("align", help="where each word of a manifest's lines lies")
    a.add_argument("manifest", type=Path)
    a.add_argument("--model", default="handwriting")
    a.add_argument("--out", type=Path, required=True, help="JSONL of aligned lines")
    m = sub.add_parser("make", help="new training lines from aligned words")
    m.add_argument("words", type=Path, help="the JSONL that align wrote")
    m.add_argument("--count", type=int, required=True)
    m.add_argument("--seed", type=int, default=0)
    m.add_argument("--out", type=Path, required=True, help="folder for the PNGs and all.jsonl")
    p = sub.add_parser("probe", help="CER of untouched and word-shuffled lines")
    p.add_argument("--model", default="handwriting")
    p.add_argument("--set", action="append", required=True, metavar="NAME=MANIFEST")
    p.add_argument("--lines", type=int, default=200, help="lines drawn per set")
    p.add_argument("--out", type=Path, help="folder for the shuffled images (default: a temporary one)")
    args = ap.parse_args()
    from recog.errors import RecogError

    try:
        {"align": cmd_align, "make": cmd_make, "probe": cmd_probe}[args.mode](args)
    except RecogError as e:  # a bad manifest or model: one line naming it
        raise SystemExit(f"word_shuffle: {e}") from None


if __name__ == "__main__":
    main()
