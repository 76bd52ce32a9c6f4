"""CTC prefix beam search with an optional character language model (NumPy only, torch-free).

For each output frame every kept prefix is extended by the characters whose posterior clears a
pruning threshold; prefixes are ranked by::

    log P_ctc(prefix) + lm_weight * log P_lm(prefix) + char_bonus * len(prefix)

(the CTC probability sums over all alignments: blank-ending and character-ending paths are kept
apart, Hannun et al. 2014). At the end the LM's end-of-text probability is added. The winning text
is then force-aligned to the frames (CTC Viterbi) to give each character its span, score and the
confidence, exactly as greedy decoding reports them.

Shapes: T' output frames, V vocabulary (blank = 0), L tokens.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .decode import CTCHypothesis, _numpy
from .errors import ConfigError
from .lm import EOS, CharNgramLM
from .vocab import Alphabet

__all__ = ["aligned_hypothesis", "BeamCTCDecoder", "BeamConfig", "ctc_beam_decode", "ctc_force_align"]

_NEG = -math.inf


@dataclass(frozen=True)
class BeamConfig:
    """Beam search settings."""

    beam: int = 16  # prefixes kept per frame
    lm_weight: float = 0.5  # weight of the LM log-probability (0: no LM influence)
    char_bonus: float = 0.0  # added per emitted character (offsets the LM's pull towards short texts)
    prune: float = -8.0  # characters with a frame log-posterior below this are not tried at that frame

    def __post_init__(self) -> None:
        if self.beam < 1:
            raise ConfigError(f"beam must be at least 1, got {self.beam}")
        if self.lm_weight < 0:
            raise ConfigError(f"lm_weight must be non-negative, got {self.lm_weight}")


def _lse(a: float, b: float) -> float:
    if a == _NEG:
        return b
    if b == _NEG:
        return a
    m = a if a > b else b
    return m + math.log1p(math.exp(-abs(a - b)))


def _search(lp: np.ndarray, chars: list[str], cfg: BeamConfig, lm: CharNgramLM | None) -> tuple[int, ...]:
    """Best token sequence for one item's ``lp`` (T', V) log-posteriors."""
    t_len = lp.shape[0]
    ctx_len = lm.order - 1 if lm is not None else 0
    # prefix -> [log P(blank-ending), log P(char-ending)]; LM state: prefix -> (context, lm log-prob)
    beams: dict[tuple[int, ...], list[float]] = {(): [0.0, _NEG]}
    lm_state: dict[tuple[int, ...], tuple[str, float]] = {(): (lm.start() if lm else "", 0.0)}
    use_lm = lm is not None and cfg.lm_weight > 0
    for t in range(t_len):
        row = lp[t]
        cand = [int(k) for k in np.flatnonzero(row > cfg.prune) if k != 0]
        blank = float(row[0])
        nxt: dict[tuple[int, ...], list[float]] = {}
        for prefix, (pb, pnb) in beams.items():
            total = _lse(pb, pnb)
            slot = nxt.setdefault(prefix, [_NEG, _NEG])
            slot[0] = _lse(slot[0], total + blank)
            last = prefix[-1] if prefix else -1
            if last > 0:  # the last character's run goes on (collapses into the same prefix)
                slot[1] = _lse(slot[1], pnb + float(row[last]))
            for k in cand:
                p = float(row[k])
                ext = prefix + (k,)
                into = nxt.setdefault(ext, [_NEG, _NEG])
                into[1] = _lse(into[1], (pb if k == last else total) + p)  # a repeat needs a blank in between
                if ext not in lm_state:
                    ctx, score = lm_state[prefix]
                    if use_lm:
                        c = chars[k - 1]
                        score += lm.logp(ctx, c)  # type: ignore[union-attr]
                        ctx = (ctx + c)[-ctx_len:] if ctx_len else ""
                    lm_state[ext] = (ctx, score)

        def rank(item: tuple[tuple[int, ...], list[float]]) -> float:
            prefix, (pb, pnb) = item
            return _lse(pb, pnb) + cfg.lm_weight * lm_state[prefix][1] + cfg.char_bonus * len(prefix)

        beams = dict(sorted(nxt.items(), key=rank, reverse=True)[: cfg.beam])
        lm_state = {p: lm_state[p] for p in beams}

    def final(prefix: tuple[int, ...]) -> float:
        pb, pnb = beams[prefix]
        ctx, score = lm_state[prefix]
        if use_lm:
            score += lm.logp(ctx, EOS)  # type: ignore[union-attr]
        return _lse(pb, pnb) + cfg.lm_weight * score + cfg.char_bonus * len(prefix)

    return max(beams, key=final)


def ctc_force_align(lp: np.ndarray, tokens: tuple[int, ...]) -> np.ndarray:
    """Best CTC path for ``tokens`` through ``lp`` (T', V): the label per frame ``(T',)`` (0 = blank).

    Viterbi over the blank-interleaved sequence ``[0, t1, 0, t2, ..., 0]``. Raises
    :class:`ValueError` if the tokens need more frames than there are.
    """
    t_len = lp.shape[0]
    ext = [0]
    for k in tokens:
        ext += [k, 0]
    s_len = len(ext)
    ext_a = np.asarray(ext)
    emit = lp[:, ext_a]  # (T', S)
    # a state may be entered from itself, the previous state, or (for a character different from
    # the one two back) skip the blank in between
    skip = np.zeros(s_len, dtype=bool)
    skip[2:] = (ext_a[2:] != 0) & (ext_a[2:] != ext_a[:-2])
    score = np.full(s_len, -np.inf)
    score[0] = emit[0, 0]
    if s_len > 1:
        score[1] = emit[0, 1]
    back = np.zeros((t_len, s_len), dtype=np.int8)  # 0 stay, 1 from s-1, 2 from s-2
    for t in range(1, t_len):
        stay = score
        step = np.concatenate(([-np.inf], score[:-1]))
        jump = np.where(skip, np.concatenate(([-np.inf, -np.inf], score[:-2])), -np.inf)
        stacked = np.stack([stay, step, jump])  # (3, S)
        choice = stacked.argmax(axis=0)
        score = stacked[choice, np.arange(s_len)] + emit[t]
        back[t] = choice
    ends = [s_len - 1] + ([s_len - 2] if s_len > 1 else [])
    s = max(ends, key=lambda e: score[e])
    if not np.isfinite(score[s]):
        raise ValueError(f"{len(tokens)} tokens do not fit in {t_len} frames")
    path = np.zeros(t_len, dtype=np.int64)
    for t in range(t_len - 1, -1, -1):
        path[t] = ext[s]
        s -= int(back[t, s])
    return path


def aligned_hypothesis(lp: np.ndarray, tokens: tuple[int, ...], alphabet: Alphabet) -> CTCHypothesis:
    """Spans, scores and confidence of ``tokens`` along their best alignment in ``lp`` (T', V)."""
    if lp.shape[0] == 0:
        return CTCHypothesis("", (), (), (), 0.0)
    labels = ctc_force_align(lp, tokens)  # (T',)
    frame_lp = lp[np.arange(lp.shape[0]), labels]  # (T',)
    spans, scores = [], []
    t, n = 0, len(labels)
    while t < n:
        k = labels[t]
        e = t
        while e + 1 < n and labels[e + 1] == k:
            e += 1
        if k != 0:
            spans.append((t, e))
            scores.append(float(np.exp(frame_lp[t : e + 1].max())))
        t = e + 1
    return CTCHypothesis(
        text=alphabet.decode(tokens),
        tokens=tokens,
        spans=tuple(spans),
        token_scores=tuple(scores),
        confidence=float(np.exp(frame_lp.mean())),
    )


def ctc_beam_decode(
    log_probs: Any, lengths: Any, alphabet: Alphabet, config: BeamConfig = BeamConfig(), lm: CharNgramLM | None = None
) -> list[CTCHypothesis]:
    """Prefix beam search over a padded batch ``log_probs`` (B, T', V) with valid ``lengths`` (B,)."""
    lp_all = _numpy(log_probs).astype(np.float64, copy=False)
    lengths = _numpy(lengths).astype(np.int64).reshape(-1)
    out = []
    for i in range(lp_all.shape[0]):
        lp = lp_all[i, : int(lengths[i])]
        tokens = _search(lp, alphabet.chars, config, lm) if lp.shape[0] else ()
        out.append(aligned_hypothesis(lp, tokens, alphabet))
    return out


class BeamCTCDecoder:
    """:class:`recog.decode.CTCDecoder` running :func:`ctc_beam_decode`, optionally with a language model.

    Args:
        alphabet: the model's alphabet.
        config: beam settings.
        lm: a :class:`CharNgramLM` over the same (normalised) characters, or None.
    """

    name = "beam"

    def __init__(self, alphabet: Alphabet, config: BeamConfig = BeamConfig(), lm: CharNgramLM | None = None) -> None:
        self.alphabet, self.config, self.lm = alphabet, config, lm

    @classmethod
    def from_options(cls, alphabet: Alphabet, options: dict) -> BeamCTCDecoder:
        """``options``: ``lm`` (a path or :class:`CharNgramLM`) and any :class:`BeamConfig` field.

        Settings not given come from the LM file's tuned ``meta["decode"]``, then the defaults.
        """
        opts = dict(options)
        lm = opts.pop("lm", None)
        if lm is not None and not isinstance(lm, CharNgramLM):
            lm = CharNgramLM.load(lm)
        if lm is not None:
            opts = {**lm.meta.get("decode", {}), **opts}
        try:
            cfg = BeamConfig(**opts)
        except TypeError as e:
            raise ConfigError(f"bad beam decoder option: {e}") from None
        return cls(alphabet, cfg, lm)

    def __call__(self, log_probs: Any, lengths: Any) -> list[CTCHypothesis]:
        return ctc_beam_decode(log_probs, lengths, self.alphabet, self.config, self.lm)
