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
from .data import read_manifest
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
        if p.suffix == ".jsonl":
            texts += [u.text for u in read_manifest(p)]
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
    dev_manifest: str | os.PathLike,
    *,
    beam: int = 16,
    lm_weights: Sequence[float] = LM_WEIGHTS,
    char_bonuses: Sequence[float] = CHAR_BONUSES,
    say=lambda s: None,
) -> dict:
    """Grid-search ``lm_weight`` x ``char_bonus`` on ``dev_manifest``; returns the best setting and all scores.

    Items are decoded in one piece each (dev items are short); the returned dict holds ``decode``
    (the chosen :class:`BeamConfig` fields), ``dev`` (its CER/WER), ``greedy`` and ``grid``.
    """
    utts = read_manifest(dev_manifest)
    if not utts:
        raise ConfigError(f"{dev_manifest}: no items to tune on")
    recorder, saved = _Recording(rec.alphabet), rec.decoder
    rec.decoder = recorder
    try:
        for u in utts:  # one at a time: keeps each item's log-probs in manifest order
            rec.transcribe_batch([u.path])
    finally:
        rec.decoder = saved
    if len(recorder.kept) != len(utts):
        raise ConfigError(f"{dev_manifest}: dev items must be short enough to decode in one window")
    lps = recorder.kept
    refs = [rec.alphabet.normalize(u.text) for u in utts]
    greedy = error_counts(refs, _texts([ctc_greedy_decode(lp[None], np.array([lp.shape[0]]), rec.alphabet)[0] for lp in lps]))
    grid = []
    for w, b in itertools.product(lm_weights, char_bonuses):
        if w == 0 and b != 0:
            continue
        cfg = BeamConfig(beam=beam, lm_weight=w, char_bonus=b)
        hyps = [ctc_beam_decode(lp[None], np.array([lp.shape[0]]), rec.alphabet, cfg, lm)[0] for lp in lps]
        c = error_counts(refs, _texts(hyps))
        grid.append({"lm_weight": w, "char_bonus": b, "cer": c.cer, "wer": c.wer})
        say(json.dumps(grid[-1]))
    best = min(grid, key=lambda g: (g["wer"], g["cer"]))
    return {
        "decode": {"beam": beam, "lm_weight": best["lm_weight"], "char_bonus": best["char_bonus"]},
        "dev": {"manifest": str(dev_manifest), "n": len(utts), "cer": best["cer"], "wer": best["wer"]},
        "greedy": {"cer": greedy.cer, "wer": greedy.wer},
        "grid": grid,
    }
