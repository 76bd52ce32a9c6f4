"""Build a model's language models and tune their decoders on dev manifests (``recog lm``).

A character LM (``beam`` decoder) or a word LM (``--words``: ``words`` decoder, lexicon = the LM's
vocabulary) is trained on texts normalised by the model's own normaliser and restricted to its
alphabet, so its characters are the model's. Tuning runs the network once over the dev items and
then decodes the stored log-probabilities with every setting of a small grid; the best setting
(lowest dev WER, then CER) is stored in the LM file's ``meta["decode"]`` and becomes the default
of ``recog.load(model, decoder="beam")``.
"""

from __future__ import annotations

import copy
import itertools
import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from .beam import BeamCTCDecoder, BeamOptions, WordCTCDecoder
from .corpus import read_corpus
from .plugins import get_host
from .decode import CTCHypothesis, ctc_greedy_decode
from .errors import ConfigError, DataError
from .lm import CharNgramLM
from .metrics import error_counts
from .recognizer import Recognizer
from .wordlm import WordLM

__all__ = ["read_texts", "build_model_lm", "build_word_lm", "dev_log_probs", "tune_beam", "tune_words"]

LM_WEIGHTS = (0.0, 0.2, 0.3, 0.4, 0.5, 0.7, 1.0)
CHAR_BONUSES = (0.0, 0.5, 1.0, 2.0, 3.0)
WORD_LM_WEIGHTS = (0.5, 1.0, 1.5, 2.0)  # KenLM scores are log10
WORD_SCORES = (-2.0, -1.0, 0.0, 1.0)


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


def dev_log_probs(rec: Recognizer, dev_manifests: str | os.PathLike | Sequence[str | os.PathLike]) -> list:
    """Per dev manifest: (name, normalised references, each item's log-probabilities ``(T', V)``).

    The network runs once; every decoder setting of a grid then decodes the stored outputs.
    """
    manifests = [dev_manifests] if isinstance(dev_manifests, (str, os.PathLike)) else list(dev_manifests)
    sets = []
    for m in manifests:
        utts = read_corpus(m)
        if not utts:
            raise ConfigError(f"{m}: no items to tune on")
        recorder = _Recording(rec.alphabet)
        private = copy.copy(rec)  # its own decoder: the recogniser recog.load caches for others stays as it was
        private.decoder = recorder
        for u in utts:  # one at a time: keeps each item's log-probs in manifest order
            private.transcribe_batch([u.path])
        if len(recorder.kept) != len(utts):
            raise ConfigError(f"{m}: dev items must be short enough to decode in one window")
        sets.append((str(m), [rec.alphabet.normalize(u.text) for u in utts], recorder.kept))
    return sets


def _score(sets, decode) -> dict:
    per = {}
    for name, refs, lps in sets:
        c = error_counts(refs, _texts([decode(lp) for lp in lps]))
        per[name] = {"n": len(refs), "cer": c.cer, "wer": c.wer}
    return per


def _grid_search(sets, settings: Sequence[dict], make_decoder, say) -> tuple[dict, list]:
    """Decode ``sets`` with each setting; the lowest mean WER (then CER) wins."""
    grid = []
    for setting in settings:
        dec = make_decoder(setting)
        per = _score(sets, dec.decode_one)
        row = {**setting, "wer": float(np.mean([v["wer"] for v in per.values()])),
               "cer": float(np.mean([v["cer"] for v in per.values()])), "sets": per}
        grid.append(row)
        say(json.dumps({k: v for k, v in row.items() if k != "sets"}))
    return min(grid, key=lambda g: (g["wer"], g["cer"])), grid


def _greedy_scores(rec: Recognizer, sets) -> dict:
    return _score(sets, lambda lp: ctc_greedy_decode(lp[None], np.array([lp.shape[0]]), rec.alphabet)[0])


def tune_beam(
    rec: Recognizer,
    lm: CharNgramLM,
    dev_manifests: str | os.PathLike | Sequence[str | os.PathLike],
    *,
    beam: int = BeamOptions.beam,
    lm_weights: Sequence[float] = LM_WEIGHTS,
    char_bonuses: Sequence[float] = CHAR_BONUSES,
    say=lambda s: None,
    sets: list | None = None,
) -> dict:
    """Grid-search ``lm_weight`` x ``char_bonus`` on one or more dev manifests; returns the best setting and all scores.

    With several dev sets (say real speech and synthetic speech) the setting with the lowest mean
    WER over them wins (then mean CER), so the LM is not tuned to one set's quirks. Items are
    decoded in one piece each (dev items are short); the returned dict holds ``decode`` (the chosen
    :class:`BeamOptions` fields), ``dev`` (its CER/WER per set), ``greedy`` and ``grid``.
    """
    settings = [{"lm_weight": w, "char_bonus": b} for w, b in itertools.product(lm_weights, char_bonuses)
                if not (w == 0 and b != 0)]
    return _tune(rec, dev_manifests, sets, settings, beam, say,
                 lambda st: BeamCTCDecoder(rec.alphabet, BeamOptions(beam=beam, **st), lm))


def _tune(rec: Recognizer, dev_manifests, sets, settings: list[dict], beam: int, say, make) -> dict:
    """The grid search of :func:`tune_beam` and :func:`tune_words`: the best of ``settings`` and all scores."""
    sets = sets if sets is not None else dev_log_probs(rec, dev_manifests)
    best, grid = _grid_search(sets, settings, make, say)
    return {
        "decode": {"beam": beam, **{k: best[k] for k in settings[0]}},
        "dev": best["sets"],
        "greedy": _greedy_scores(rec, sets),
        "grid": grid,
    }


def build_word_lm(rec: Recognizer, texts: Iterable[str], order: int = 3, prune: Sequence[int] = (0, 0, 1),
                  sources: Sequence[str] = ()) -> WordLM:
    """A :class:`WordLM` from ``texts`` normalised as the model normalises; words the alphabet cannot spell are left out."""
    chars = set(rec.alphabet.chars)
    normalized = []
    for t in texts:
        words = [w for w in rec.alphabet.normalize(t).split() if set(w) <= chars]
        if words:
            normalized.append(" ".join(words))
    if not normalized:
        raise ConfigError("no text the model's alphabet can spell to build a word language model from")
    lm = WordLM.build(normalized, order=order, prune=prune)
    lm.meta["built_from"] = {"sources": [str(s) for s in sources], "texts": len(normalized), "model": rec.name}
    return lm


def tune_words(
    rec: Recognizer,
    lm: WordLM,
    dev_manifests: str | os.PathLike | Sequence[str | os.PathLike],
    *,
    beam: int = BeamOptions.beam,
    lm_weights: Sequence[float] = WORD_LM_WEIGHTS,
    word_scores: Sequence[float] = WORD_SCORES,
    say=lambda s: None,
    sets: list | None = None,
) -> dict:
    """Grid-search ``lm_weight`` x ``word_score`` of the word decoder (as :func:`tune_beam` does for characters)."""
    settings = [{"lm_weight": w, "word_score": b} for w, b in itertools.product(lm_weights, word_scores)]
    return _tune(rec, dev_manifests, sets, settings, beam, say,
                 lambda st: WordCTCDecoder(rec.alphabet, lm, BeamOptions(beam=beam, **st)))
