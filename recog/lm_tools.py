"""Build a character LM for a model and tune the beam decoder on a dev manifest (``recog lm``).

The LM is trained on texts normalised by the model's own normaliser and restricted to its
alphabet, so its characters are the model's. Tuning runs the network once over the dev items and
then decodes the stored log-probabilities with every setting of a small grid; the best setting
(lowest dev WER, then CER) is stored in the LM file's ``meta["decode"]`` and becomes the default
of ``recog.load(model, decoder="beam")``.
"""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from .beam import BeamConfig, ctc_beam_decode
from .corpus import read_corpus
from .plugins import get_host
from .decode import CTCHypothesis, ctc_greedy_decode
from .errors import ConfigError, DataError
from .lm import CharNgramLM
from .metrics import error_counts
from .recognizer import Recognizer

__all__ = ["read_texts", "build_model_lm", "tune_beam"]

LM_WEIGHTS = (0.0, 0.2, 0.3, 0.4, 0.5, 0.7, 1.0)
CHAR_BONUSES = (0.0, 0.5, 1.0, 2.0, 3.0)


def read_texts(paths: Sequence[str | os.PathLike]) -> list[str]:
    """Texts from JSONL manifests (their ``text`` field) and plain text files (one text per line)."""
    texts: list[str] = []
    for p in paths:
        p = Path(p)
        if not p.is_file():
            raise DataError(f"{p}: no such text file or manifest")
        if p.suffix.lower() == ".jsonl" or p.suffix.lower() in get_host().corpus_readers():
            texts += [u.text for u in read_corpus(p)]
        else:
            try:
                texts += [line.strip() for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]
            except UnicodeDecodeError as e:
                raise DataError(f"{p}: not UTF-8 text ({e})") from None
    return texts


def build_model_lm(rec: Recognizer, texts: Iterable[str], order: int = 6, sources: Sequence[str] = ()) -> CharNgramLM:
    """A :class:`CharNgramLM` over ``rec``'s alphabet from ``texts`` (normalised as the model normalises)."""
    normalized = [rec.alphabet.normalize(t) for t in texts]
    lm = CharNgramLM.train(normalized, order=order, vocab=rec.alphabet.chars)
    lm.meta["built_from"] = {"sources": [str(s) for s in sources], "texts": len(normalized), "model": rec.name}
    return lm


class _Recording:
    """A decoder that keeps every item's log-probabilities ``(T', V)`` and decodes greedily."""

    def __init__(self, alphabet) -> None:
        self.alphabet, self.kept = alphabet, []

    def __call__(self, log_probs, lengths) -> list[CTCHypothesis]:
        lp = log_probs.detach().float().cpu().numpy()
        n = lengths.detach().cpu().numpy()
        self.kept.extend(lp[i, : int(n[i])] for i in range(lp.shape[0]))
        return ctc_greedy_decode(lp, n, self.alphabet)


def _texts(hyps: Sequence[CTCHypothesis]) -> list[str]:
    return [" ".join(h.text.split()) for h in hyps]  # edges and doubled spaces dropped, as transcripts do


def tune_beam(
    rec: Recognizer,
    lm: CharNgramLM,
    dev_manifests: str | os.PathLike | Sequence[str | os.PathLike],
    *,
    beam: int = 16,
    lm_weights: Sequence[float] = LM_WEIGHTS,
    char_bonuses: Sequence[float] = CHAR_BONUSES,
    say=lambda s: None,
) -> dict:
    """Grid-search ``lm_weight`` x ``char_bonus`` on one or more dev manifests; returns the best setting and all scores.

    With several dev sets (say real speech and synthetic speech) the setting with the lowest mean
    WER over them wins (then mean CER), so the LM is not tuned to one set's quirks. Items are
    decoded in one piece each (dev items are short); the returned dict holds ``decode`` (the chosen
    :class:`BeamConfig` fields), ``dev`` (its CER/WER per set), ``greedy`` and ``grid``.
    """
    manifests = [dev_manifests] if isinstance(dev_manifests, (str, os.PathLike)) else list(dev_manifests)
    sets = []  # (name, references, log-probs per item)
    for m in manifests:
        utts = read_corpus(m)
        if not utts:
            raise ConfigError(f"{m}: no items to tune on")
        recorder, saved = _Recording(rec.alphabet), rec.decoder
        rec.decoder = recorder
        try:
            for u in utts:  # one at a time: keeps each item's log-probs in manifest order
                rec.transcribe_batch([u.path])
        finally:
            rec.decoder = saved
        if len(recorder.kept) != len(utts):
            raise ConfigError(f"{m}: dev items must be short enough to decode in one window")
        sets.append((str(m), [rec.alphabet.normalize(u.text) for u in utts], recorder.kept))

    def score(decode) -> dict:
        per = {}
        for name, refs, lps in sets:
            c = error_counts(refs, _texts([decode(lp) for lp in lps]))
            per[name] = {"n": len(refs), "cer": c.cer, "wer": c.wer}
        return per

    def one(lp):
        return ctc_greedy_decode(lp[None], np.array([lp.shape[0]]), rec.alphabet)[0]

    greedy = score(one)
    grid = []
    for w, b in itertools.product(lm_weights, char_bonuses):
        if w == 0 and b != 0:
            continue
        cfg = BeamConfig(beam=beam, lm_weight=w, char_bonus=b)
        per = score(lambda lp, cfg=cfg: ctc_beam_decode(lp[None], np.array([lp.shape[0]]), rec.alphabet, cfg, lm)[0])
        row = {"lm_weight": w, "char_bonus": b, "wer": float(np.mean([v["wer"] for v in per.values()])),
               "cer": float(np.mean([v["cer"] for v in per.values()])), "sets": per}
        grid.append(row)
        say(json.dumps({k: row[k] for k in ("lm_weight", "char_bonus", "wer", "cer")}))
    best = min(grid, key=lambda g: (g["wer"], g["cer"]))
    return {
        "decode": {"beam": beam, "lm_weight": best["lm_weight"], "char_bonus": best["char_bonus"]},
        "dev": best["sets"],
        "greedy": greedy,
        "grid": grid,
    }
