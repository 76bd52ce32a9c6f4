"""CTC beam search: characters with a character LM (NumPy), words with a word LM (flashlight-text, C++).

Two decoders share one options object (:class:`BeamOptions`) and one result type:

* :class:`BeamCTCDecoder` (``"beam"``): lexicon-free prefix beam search over characters, for open
  vocabularies (handwriting, spelled letters, names). Prefixes are ranked by::

      log P_ctc(prefix) + lm_weight * log P_charlm(prefix) + char_bonus * len(prefix) + hotword bias

  (the CTC probability sums over all alignments: blank-ending and character-ending paths are kept
  apart, Hannun et al. 2014; the per-character bonus offsets the LM's pull towards short texts).
  This search stays in NumPy, vectorised over the beam (one (K, C) matrix of prefixes x candidate
  characters per frame). flashlight-text was measured against it on the same log-probabilities
  (2026-12-03): its lexicon-free decoder with this objective through a Python LM callback reaches the
  same accuracy only at the same speed (beam_size_token 12; at 5 it is faster but loses 1.8 WER points
  on ARCTIC/cathy); with native KenLM it is 10-30x faster but has no per-character bonus (KenLM refuses
  the positive log-probabilities that folding the bonus into the LM needs; a bonus per frame instead
  costs 0.4-1.5 CER points; and PyPI's KenLM reads at most order 6, below the handwriting LM's 7); a
  lexicon of one-character words (bonus = word score) cannot carry a character over two frames.
  ``bench/decoders.py --flashlight 5,12`` measures it.
* :class:`WordCTCDecoder` (``"words"``): lexicon-constrained beam search in C++ with a word n-gram
  LM (:mod:`recog.wordlm`, KenLM inside flashlight-text): every word is spelled in the model's
  alphabet and scored ``lm_weight * log10 P_wordlm(word | history) + word_score``.

Hotwords (``"Stella Tanaka:4"``) bias both: a phrase's score is spread over its characters while
it is being read (a match that breaks off gives its credit back); the word decoder adds hotword
words missing from its lexicon. The winning text is force-aligned to the frames (CTC Viterbi) for
character spans, scores and confidence, as greedy decoding reports them; ``nbest`` keeps the best
distinct texts with their scores.

Shapes: T' output frames, V vocabulary (blank = 0), L tokens.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from .decode import CTCHypothesis, _numpy
from .errors import ConfigError
from .lm import EOS, CharLanguageModel, CharNgramLM
from .vocab import Alphabet

__all__ = [
    "aligned_hypothesis", "BeamCTCDecoder", "BeamOptions", "Hotword", "WordCTCDecoder", "ctc_beam_decode",
    "ctc_force_align", "parse_hotword",
]

DEFAULT_HOTWORD_SCORE = 5.0


@dataclass(frozen=True)
class Hotword:
    """A phrase to favour: ``score`` (natural log) is added when it is read in full."""

    text: str
    score: float = DEFAULT_HOTWORD_SCORE


def parse_hotword(spec: str | Hotword | tuple) -> Hotword:
    """``"Stella Tanaka:4"``, ``"Stella"`` (default score), ``("Stella", 4)`` or a :class:`Hotword`."""
    if isinstance(spec, Hotword):
        return spec
    if isinstance(spec, tuple) and len(spec) == 2:
        return Hotword(str(spec[0]), float(spec[1]))
    if not isinstance(spec, str):
        raise ConfigError(f"hotword must be 'TEXT' or 'TEXT:SCORE', got {spec!r}")
    text, sep, score = spec.rpartition(":")
    if sep and text.strip() and not text.rstrip()[-1].isdigit():  # "at 10:30" is a phrase, not a score
        try:
            return Hotword(text.strip(), float(score))
        except ValueError:
            pass  # a colon inside the phrase
    if not spec.strip():
        raise ConfigError("empty hotword")
    return Hotword(spec.strip())


CHAR_THRESHOLD = 10.0  # "beam": natural-log score gap below the best hypothesis at which one is dropped
WORD_THRESHOLD = 20.0  # "words": flashlight's beam_threshold (KenLM scores are log10)


@dataclass(frozen=True)
class BeamOptions:
    """Beam search settings (both decoders; fields a decoder does not use are ignored).

    Attributes:
        beam: hypotheses kept per frame.
        beam_token: at most this many characters tried per frame (the most likely ones above ``prune``).
        threshold: hypotheses scoring more than this below the best are dropped (default per decoder:
            :data:`CHAR_THRESHOLD` for ``"beam"``, :data:`WORD_THRESHOLD` for ``"words"``).
        lm_weight: weight of the LM log-probability (0: no LM influence).
        char_bonus: ``"beam"``: added per emitted character.
        word_score: ``"words"``: added per word (negative: fewer, longer words).
        hotwords: phrases to favour (see :class:`Hotword`).
        nbest: how many distinct texts to keep (the first is the result).
        prune: ``"beam"``: characters with a frame log-posterior below this are not tried there.

    ``prune`` -7 and a character threshold of 10 decode at least as accurately as -8 and 20 did, 1.3-1.9x faster
    (``bench/decoders.py --beam-variant``, same log-probs: AN4 test, ARCTIC/cathy, DHSD, Hooker lines); -6 is faster
    still but lost 0.4 WER points on DHSD.
    """

    beam: int = 16
    beam_token: int = 64
    threshold: float | None = None
    lm_weight: float = 0.5
    char_bonus: float = 0.0
    word_score: float = 0.0
    hotwords: tuple[Hotword, ...] = ()
    nbest: int = 1
    prune: float = -7.0

    def __post_init__(self) -> None:
        if self.beam < 1 or self.beam_token < 1 or self.nbest < 1:
            raise ConfigError(f"beam, beam_token and nbest must be at least 1, got {self.beam}, {self.beam_token}, {self.nbest}")
        if self.lm_weight < 0:
            raise ConfigError(f"lm_weight must be non-negative, got {self.lm_weight}")
        if self.threshold is not None and self.threshold <= 0:
            raise ConfigError(f"threshold must be positive, got {self.threshold}")
        object.__setattr__(self, "hotwords", tuple(parse_hotword(h) for h in self.hotwords))

    @classmethod
    def from_dict(cls, options: dict) -> BeamOptions:
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(options) - names)
        if unknown:
            raise ConfigError(f"unknown beam decoder option(s) {unknown} (have: {', '.join(sorted(names))})")
        try:
            return cls(**options)
        except (TypeError, ValueError) as e:
            raise ConfigError(f"bad beam decoder option: {e}") from None


# --- hotword bias -------------------------------------------------------------------------------
class _HotwordTrie:
    """Phrases as character paths; :meth:`step` spreads each phrase's score over its characters."""

    def __init__(self, hotwords: Sequence[Hotword], normalize) -> None:
        self.children: list[dict[str, int]] = [{}]
        self.gain: list[float] = [0.0]  # per node: the bias earned on the way to it
        self.ends: list[bool] = [False]  # per node: a whole phrase was read
        for h in hotwords:
            text = normalize(h.text)
            node = 0
            for i, c in enumerate(text):
                nxt = self.children[node].get(c)
                if nxt is None:
                    nxt = len(self.children)
                    self.children[node][c] = nxt
                    self.children.append({})
                    self.gain.append(0.0)
                    self.ends.append(False)
                self.gain[nxt] = max(self.gain[nxt], h.score * (i + 1) / len(text))
                node = nxt
            if text:
                self.ends[node] = True
        self.empty = len(self.children) == 1

    def step(self, node: int, at_boundary: bool, c: str) -> tuple[int, float]:
        """From ``node`` (0: outside any phrase; ``at_boundary``: a word starts here) read ``c``.

        Returns the new node and the bias to add: a phrase's share per character while it matches;
        when a match breaks off, its credit is taken back, unless a whole phrase ended with a word.
        """
        nxt = self.children[node].get(c) if node else None
        if nxt is not None:
            return nxt, self.gain[nxt] - self.gain[node]
        refund = 0.0 if (self.ends[node] and c == " ") else self.gain[node]
        start = self.children[0].get(c) if at_boundary and c != " " else None
        if start is not None:
            return start, self.gain[start] - refund
        return 0, -refund

    def close(self, node: int) -> float:
        """The bias at the end of the text: a match still open is taken back unless it is a whole phrase."""
        return 0.0 if self.ends[node] else -self.gain[node]


def _flashlight():
    try:
        from flashlight.lib.text import decoder as fl
    except ImportError as e:  # pragma: no cover - a dependency
        raise ConfigError(f"word decoding needs flashlight-text (pip install flashlight-text): {e}") from None
    return fl


_NEG = -math.inf


class _LMRows:
    """LM log-probabilities of every symbol after a context, one row per context, and where each token's is.

    ``row(ctx)[cols[k]]`` scores token k (a character, k >= 1) and ``row(ctx)[cols[0]]`` the end of the text.
    A :class:`CharNgramLM` gives its own cached rows (:meth:`CharNgramLM.log_dist`); any other
    :class:`CharLanguageModel` is asked character by character, cached here for one search.
    """

    def __init__(self, lm: CharLanguageModel, chars: list[str]) -> None:
        self.lm, self.chars = lm, chars
        self.cache: dict[Any, np.ndarray] = {}
        self.native = False
        if isinstance(lm, CharNgramLM):
            where = {c: i for i, c in enumerate(lm.symbols)}
            if all(c in where for c in chars):
                self.native = True
                self.cols = np.asarray([where[EOS]] + [where[c] for c in chars])
        if not self.native:
            self.cols = np.arange(len(chars) + 1)

    def __call__(self, ctx: Any) -> np.ndarray:
        if self.native:
            return self.lm.log_dist(ctx)  # type: ignore[attr-defined]
        row = self.cache.get(ctx)
        if row is None:
            row = self.cache[ctx] = np.asarray([self.lm.logp(ctx, c) for c in [EOS, *self.chars]])
        return row


def _search(
    lp: np.ndarray, chars: list[str], opts: BeamOptions, lm: CharLanguageModel | None, hot: _HotwordTrie
) -> list[tuple[tuple[int, ...], float]]:
    """The best prefixes (token ids) of one item's ``lp`` (T', V) with their final scores, best first.

    Vectorised over the beam: per frame, the K kept prefixes and their C candidate characters form a
    (K, C) matrix of extensions, ranked together with the K prefixes themselves, and the winners are
    gathered by index. Prefixes are numbered nodes of a tree (``parent``, ``token``), spelled out at the
    end. Per kept prefix: its node, ``pb``/``pnb`` (log P of its blank-/character-ending paths), ``bias``
    (LM + hotword score so far + ``char_bonus`` x length), ``last`` token, LM context and row, hotword node,
    whether a word starts.
    """
    t_len = lp.shape[0]
    use_lm = lm is not None and opts.lm_weight > 0
    rows = _LMRows(lm, chars) if use_lm else None  # type: ignore[arg-type]
    threshold = CHAR_THRESHOLD if opts.threshold is None else opts.threshold
    parent, token = [-1], [0]  # the prefix tree: node 0 is the empty prefix
    node = np.zeros(1, dtype=np.int64)
    pb, pnb = np.zeros(1), np.full(1, _NEG)
    bias, last = np.zeros(1), np.zeros(1, dtype=np.int64)
    ctxs: list[Any] = [lm.start() if lm is not None else None]
    lm_rows = np.stack([rows(ctxs[0])]) if rows is not None else None  # (K, S): each prefix's LM row
    hot_nodes, starts = [0], [True]
    frames, tokens = np.nonzero(lp[:, 1:] > opts.prune)  # characters worth trying, frame by frame
    tried = np.split(tokens + 1, np.searchsorted(frames, np.arange(1, t_len)))  # per frame (C_t,)
    for t in range(t_len):
        row = lp[t]
        total = np.logaddexp(pb, pnb)  # (K,)
        run = pnb + row[last]  # the last character's run goes on (the empty prefix has no character path: -inf)
        cand = tried[t]
        if not len(cand):  # a blank frame (most of them): every prefix stays itself, none is added
            pb, pnb = total + row[0], run
            continue
        if len(cand) > opts.beam_token:  # the most likely ones only
            cand = cand[np.argpartition(row[cand], -opts.beam_token)[-opts.beam_token :]]
        n_c = len(cand)
        # (K, C) extensions; a repeat of the last character needs a blank between
        ext = np.where(cand[None, :] == last[:, None], pb[:, None], total[:, None]) + row[cand][None, :]
        pb, pnb = total + row[0], run
        k_n = len(node)
        if k_n > 1:  # an extension that is already a kept prefix adds its paths to that one
            at = {n: i for i, n in enumerate(node.tolist())}
            col = {k: j for j, k in enumerate(cand.tolist())}
            for i, n in enumerate(node.tolist()):
                up, j = at.get(parent[n]), col.get(token[n])
                if up is not None and j is not None:
                    pnb[i] = np.logaddexp(pnb[i], ext[up, j])
                    ext[up, j] = _NEG
        # (K, C): the LM + hotword score and the character bonus each extension adds
        gain = opts.lm_weight * lm_rows[:, rows.cols[cand]] if lm_rows is not None else np.zeros_like(ext)  # type: ignore[union-attr]
        hot_steps: dict[tuple[int, int], tuple[int, float]] = {}
        if not hot.empty:
            for i in range(k_n):
                for j, k in enumerate(cand.tolist()):
                    hot_steps[i, j] = step = hot.step(hot_nodes[i], starts[i], chars[k - 1])
                    gain[i, j] += step[1]
        gain += opts.char_bonus
        stay = np.logaddexp(pb, pnb) + bias  # (K,)
        grow = ext + gain + bias[:, None]  # (K, C)
        ranked = np.concatenate([stay, grow.ravel()])
        keep = np.flatnonzero(ranked >= ranked.max() - threshold)
        if len(keep) > opts.beam:
            keep = keep[np.argpartition(ranked[keep], -opts.beam)[-opts.beam :]]
        kept = keep[keep < k_n]  # prefixes that stay
        ii, jj = np.divmod(keep[keep >= k_n] - k_n, n_c)  # extensions: prefix ii by candidate jj
        new_tokens = cand[jj]
        new_nodes = np.arange(len(parent), len(parent) + len(ii))
        parent += node[ii].tolist()
        token += new_tokens.tolist()
        new_ctx = []
        for i, j, k in zip(ii.tolist(), jj.tolist(), new_tokens.tolist()):
            c = chars[k - 1]
            new_ctx.append(lm.advance(ctxs[i], c) if use_lm else ctxs[i])  # type: ignore[union-attr]
            hot_nodes.append(hot_steps[i, j][0] if hot_steps else 0)
            starts.append(c == " ")
        hot_nodes = [hot_nodes[i] for i in kept.tolist()] + hot_nodes[k_n:]
        starts = [starts[i] for i in kept.tolist()] + starts[k_n:]
        ctxs = [ctxs[i] for i in kept.tolist()] + new_ctx
        node = np.concatenate([node[kept], new_nodes])
        pb = np.concatenate([pb[kept], np.full(len(ii), _NEG)])
        pnb = np.concatenate([pnb[kept], ext[ii, jj]])
        bias = np.concatenate([bias[kept], bias[ii] + gain[ii, jj]])
        last = np.concatenate([last[kept], new_tokens])
        if lm_rows is not None:
            lm_rows = np.concatenate([lm_rows[kept], *([rows(c)] for c in new_ctx)])

    final = np.logaddexp(pb, pnb) + bias
    if lm_rows is not None:
        final = final + opts.lm_weight * lm_rows[:, rows.cols[0]]  # the end of the text  # type: ignore[union-attr]
    if not hot.empty:
        final = final + np.asarray([hot.close(n) for n in hot_nodes])

    def spell(n: int) -> tuple[int, ...]:
        out = []
        while n:
            out.append(token[n])
            n = parent[n]
        return tuple(reversed(out))

    order = np.argsort(-final, kind="stable")
    return [(spell(int(node[i])), float(final[i])) for i in order.tolist()]


# --- alignment ----------------------------------------------------------------------------------
def _align_states(lp: np.ndarray, tokens: tuple[int, ...], optional: int | None = None) -> tuple[np.ndarray, list[int]]:
    """Viterbi through the blank-interleaved sequence ``ext = [0, t1, 0, t2, ..., 0]``: its state per frame.

    A state may be entered from itself, the previous state, or (for a character different from the
    one two back) skip the blank in between. Tokens equal to ``optional`` (the space, for the word
    decoder, whose words need not be separated by a space frame) may take no frame at all.
    Returns the state index per frame ``(T',)`` and ``ext``.
    """
    t_len = lp.shape[0]
    ext = [0]
    for k in tokens:
        ext += [k, 0]
    s_len = len(ext)
    ext_a = np.asarray(ext)
    emit = lp[:, ext_a]  # (T', S)
    skip = np.zeros(s_len, dtype=bool)
    skip[2:] = (ext_a[2:] != 0) & (ext_a[2:] != ext_a[:-2])
    over_blank = np.zeros(s_len, dtype=bool)  # blank after an optional token, entered from the blank before it
    over_char = np.zeros(s_len, dtype=bool)  # character after an optional token, from the character before it
    if optional is not None:
        opt = np.zeros(s_len, dtype=bool)
        opt[1::2] = ext_a[1::2] == optional
        over_blank[2:] = (ext_a[2:] == 0) & opt[1:-1]
        over_char[4:] = (ext_a[4:] != 0) & opt[2:-2] & (ext_a[4:] != ext_a[:-4])
    score = np.full(s_len, -np.inf)
    score[0] = emit[0, 0]
    if s_len > 1:
        score[1] = emit[0, 1]
    if optional is not None and s_len > 3 and ext[1] == optional:
        score[3] = emit[0, 3]
    # moves into each state, as additive masks (0 allowed, -inf not): stay, +1, +2 (skip a blank), and with an
    # optional token, +2 over it into a blank and +4 over it into a character
    masks = [np.zeros(s_len), np.zeros(s_len), np.where(skip, 0.0, -np.inf)]
    moves = [0, 1, 2]
    if optional is not None and (over_blank.any() or over_char.any()):
        masks += [np.where(over_blank, 0.0, -np.inf), np.where(over_char, 0.0, -np.inf)]
        moves += [2, 4]
    masks_a = np.stack(masks)  # (M, S)
    moves_a = np.asarray(moves, dtype=np.int8)
    buf = np.full(s_len + 4, -np.inf)  # score shifted: buf[4 - m : 4 - m + S] is the score m states back
    cand = np.empty_like(masks_a)
    back = np.zeros((t_len, s_len), dtype=np.int8)  # states moved: 0 stay, 1, 2 or 4
    for t in range(1, t_len):
        buf[4:] = score
        for i, m in enumerate(moves):
            cand[i] = buf[4 - m : 4 - m + s_len]
        cand += masks_a
        choice = cand.argmax(axis=0)
        score = cand.max(axis=0) + emit[t]
        back[t] = moves_a[choice]
    ends = [s_len - 1] + ([s_len - 2] if s_len > 1 else [])
    if optional is not None and s_len > 3 and ext[-2] == optional:
        ends.append(s_len - 4)
    s = max(ends, key=lambda e: score[e])
    if not np.isfinite(score[s]):
        raise ValueError(f"{len(tokens)} tokens do not fit in {t_len} frames")
    states = np.zeros(t_len, dtype=np.int64)
    for t in range(t_len - 1, -1, -1):
        states[t] = s
        s -= int(back[t, s])
    return states, ext


def ctc_force_align(lp: np.ndarray, tokens: tuple[int, ...]) -> np.ndarray:
    """Best CTC path for ``tokens`` through ``lp`` (T', V): the label per frame ``(T',)`` (0 = blank).

    Raises :class:`ValueError` if the tokens need more frames than there are.
    """
    states, ext = _align_states(lp, tokens)
    return np.asarray(ext)[states]


def aligned_hypothesis(
    lp: np.ndarray,
    tokens: tuple[int, ...],
    alphabet: Alphabet,
    alternatives: tuple[tuple[str, float], ...] = (),
    optional: int | None = None,
) -> CTCHypothesis:
    """Spans, scores and confidence of ``tokens`` along their best alignment in ``lp`` (T', V).

    A token equal to ``optional`` that the alignment gives no frame (a space between two words
    read without a pause) gets the empty span at the next token's first frame and score 1.
    """
    if lp.shape[0] == 0:
        return CTCHypothesis("", (), (), (), 0.0)
    states, ext = _align_states(lp, tokens, optional)
    frame_lp = lp[np.arange(lp.shape[0]), np.asarray(ext)[states]]  # (T',)
    first: dict[int, int] = {}
    last: dict[int, int] = {}
    for t, st in enumerate(states.tolist()):
        first.setdefault(st, t)
        last[st] = t
    spans, scores = [], []
    for i in range(len(tokens)):
        st = 2 * i + 1
        if st in first:
            spans.append((first[st], last[st]))
            scores.append(float(np.exp(frame_lp[first[st] : last[st] + 1].max())))
        else:
            at = next((first[k] for k in range(st + 1, len(ext)) if k in first), lp.shape[0] - 1)
            spans.append((at, at - 1) if at > 0 else (0, -1))
            scores.append(1.0)
    return CTCHypothesis(
        text=alphabet.decode(tokens),
        tokens=tokens,
        spans=tuple(spans),
        token_scores=tuple(scores),
        confidence=float(np.exp(frame_lp.mean())),
        alternatives=alternatives,
    )


def _best(ranked, opts: BeamOptions, alphabet: Alphabet, lp: np.ndarray, optional: int | None = None) -> CTCHypothesis:
    """The winner of ``ranked`` ((tokens, score) pairs, best first) aligned, with up to ``opts.nbest`` distinct texts."""
    seen: dict[str, float] = {}
    for tokens, score in ranked:
        text = " ".join(alphabet.decode(tokens).split())
        if text not in seen:
            seen[text] = float(score)
            if len(seen) >= opts.nbest:
                break
    best = ranked[0][0] if ranked else ()
    alts = tuple(seen.items()) if opts.nbest > 1 else ()
    return aligned_hypothesis(lp, best, alphabet, alts, optional)


def _run(decoder, lp: np.ndarray):
    lp = np.ascontiguousarray(lp, dtype=np.float32)
    return decoder.decode(lp.ctypes.data, lp.shape[0], lp.shape[1])


class BeamCTCDecoder:
    """:class:`recog.decode.CTCDecoder`: lexicon-free prefix beam search, optionally with a character LM.

    Args:
        alphabet: the model's alphabet.
        options: :class:`BeamOptions`.
        lm: a :class:`recog.lm.CharLanguageModel` (the project's :class:`CharNgramLM` or a plugin's)
            over the same (normalised) characters, or None.
    """

    name = "beam"

    def __init__(
        self, alphabet: Alphabet, options: BeamOptions = BeamOptions(), lm: CharLanguageModel | None = None
    ) -> None:
        if lm is not None:
            if not isinstance(lm, CharLanguageModel):
                raise ConfigError(
                    f"{type(lm).__name__} is not a character language model (needs vocab, meta, start, logp, advance)"
                )
            check_lm_alphabet(lm.vocab, alphabet, lm.meta.get("path", "language model"))
        self.alphabet, self.options, self.lm = alphabet, options, lm
        self._hot = _HotwordTrie(options.hotwords, alphabet.normalize)

    @classmethod
    def from_options(cls, alphabet: Alphabet, options: dict) -> BeamCTCDecoder:
        """``options``: ``lm`` (a ``*.lm.json.gz`` path or a :class:`recog.lm.CharLanguageModel`) and any
        :class:`BeamOptions` field.

        Settings not given come from the LM file's tuned ``meta["decode"]``, then the defaults.
        """
        opts = dict(options)
        lm = opts.pop("lm", None)
        if isinstance(lm, (str, os.PathLike)):
            path = lm
            lm = CharNgramLM.load(path)
            lm.meta["path"] = str(path)
        if lm is not None:
            opts = {**lm.meta.get("decode", {}), **opts}
        return cls(alphabet, BeamOptions.from_dict(opts), lm)

    def decode_one(self, lp: np.ndarray) -> CTCHypothesis:
        """Decode one item's log-probabilities ``lp`` (T', V)."""
        if lp.shape[0] == 0:
            return aligned_hypothesis(lp, (), self.alphabet)
        ranked = _search(np.asarray(lp, dtype=np.float64), self.alphabet.chars, self.options, self.lm, self._hot)
        return _best(ranked, self.options, self.alphabet, lp)

    def __call__(self, log_probs: Any, lengths: Any) -> list[CTCHypothesis]:
        lp_all = _numpy(log_probs).astype(np.float64, copy=False)
        lengths = _numpy(lengths).astype(np.int64).reshape(-1)
        return [self.decode_one(lp_all[i, : int(lengths[i])]) for i in range(lp_all.shape[0])]


def ctc_beam_decode(
    log_probs: Any,
    lengths: Any,
    alphabet: Alphabet,
    options: BeamOptions = BeamOptions(),
    lm: CharLanguageModel | None = None,
) -> list[CTCHypothesis]:
    """Prefix beam search over a padded batch ``log_probs`` (B, T', V) with valid ``lengths`` (B,)."""
    return BeamCTCDecoder(alphabet, options, lm)(log_probs, lengths)


def check_lm_alphabet(lm_chars: Sequence[str], alphabet: Alphabet, source: Any) -> None:
    """Raise :class:`ConfigError` when an LM scores characters the model cannot write (a foreign LM)."""
    foreign = sorted(set(lm_chars) - set(alphabet.chars))
    if foreign:
        shown = "".join(foreign[:12])
        raise ConfigError(
            f"{source}: language model characters {shown!r} are not in the model's alphabet "
            "(an LM built for another model; rebuild it with recog lm --model ...)"
        )


class WordCTCDecoder:
    """:class:`recog.decode.CTCDecoder`: lexicon-constrained beam search with a word n-gram LM.

    Args:
        alphabet: the model's alphabet (must have a space: words are separated by it).
        lm: a :class:`recog.wordlm.WordLM`; its vocabulary (spelled in the alphabet) is the lexicon.
        options: :class:`BeamOptions` (``lm_weight``, ``word_score``, ``hotwords`` ...).
    """

    name = "words"

    def __init__(self, alphabet: Alphabet, lm, options: BeamOptions = BeamOptions()) -> None:
        if " " not in alphabet.chars:
            raise ConfigError("word decoding needs an alphabet with a space")
        fl = _flashlight()
        from flashlight.lib.text.dictionary import Dictionary

        self.alphabet, self.lm, self.options = alphabet, lm, options
        chars = alphabet.chars
        ids = {c: i + 1 for i, c in enumerate(chars)}
        sil = ids[" "]
        words = [w for w in lm.words if w and all(c in ids for c in w)]
        boosts: dict[str, float] = {}
        for h in options.hotwords:
            parts = alphabet.normalize(h.text).split()
            for p in parts:
                if all(c in ids for c in p):
                    boosts[p] = max(boosts.get(p, 0.0), h.score / len(parts))
        words += [w for w in boosts if w not in set(words)]
        self._words = Dictionary()
        for w in words:
            self._words.add_entry(w)
        unk = "<unk>"
        self._words.add_entry(unk)
        self._unk = self._words.get_index(unk)
        kenlm = lm.kenlm(self._words)
        lm_model = kenlm
        if boosts:
            lm_model = _boosted(fl, kenlm, {self._words.get_index(w): b for w, b in boosts.items()}, options.lm_weight)
        trie = fl.Trie(len(chars) + 1, sil)
        start = kenlm.start(False)
        for w in words:
            idx = self._words.get_index(w)
            _, s = kenlm.score(start, idx)
            trie.insert([ids[c] for c in w], idx, s + boosts.get(w, 0.0))
        trie.smear(fl.SmearingMode.MAX)
        o = options
        fl_opts = fl.LexiconDecoderOptions(
            beam_size=o.beam, beam_size_token=min(o.beam_token, len(chars) + 1), beam_threshold=WORD_THRESHOLD if o.threshold is None else o.threshold,
            lm_weight=o.lm_weight if not boosts else 1.0, word_score=o.word_score, unk_score=-math.inf,
            sil_score=0.0, log_add=True, criterion_type=fl.CriterionType.CTC,
        )
        self._lm = lm_model  # the decoder keeps a reference only on the C++ side
        self._trie = trie
        self._sil = sil
        self._decoder = fl.LexiconDecoder(fl_opts, trie, lm_model, sil, 0, self._unk, [], False)

    @classmethod
    def from_options(cls, alphabet: Alphabet, options: dict) -> WordCTCDecoder:
        """``options``: ``lm`` (a ``*.words.lm.gz`` path or :class:`recog.wordlm.WordLM`) and :class:`BeamOptions` fields."""
        from .wordlm import WordLM

        opts = dict(options)
        lm = opts.pop("lm", None)
        if lm is None:
            raise ConfigError("the words decoder needs a word language model (lm=NAME.words.lm.gz)")
        if not isinstance(lm, WordLM):
            lm = WordLM.load(lm)
        check_lm_alphabet({c for w in lm.words for c in w}, alphabet, lm.path)
        opts = {**lm.meta.get("decode", {}), **opts}
        return cls(alphabet, lm, BeamOptions.from_dict(opts))

    def decode_one(self, lp: np.ndarray) -> CTCHypothesis:
        if lp.shape[0] == 0:
            return aligned_hypothesis(lp, (), self.alphabet)
        results = _run(self._decoder, lp)
        ids = {c: i + 1 for i, c in enumerate(self.alphabet.chars)}

        def tokens(r) -> tuple[int, ...]:
            words = [self._words.get_entry(w) for w in r.words if w >= 0 and w != self._unk]
            return tuple(ids[c] for c in " ".join(words))

        return _best([(tokens(r), r.score) for r in results], self.options, self.alphabet, lp, self._sil)

    def __call__(self, log_probs: Any, lengths: Any) -> list[CTCHypothesis]:
        lp_all = _numpy(log_probs).astype(np.float32, copy=False)
        lengths = _numpy(lengths).astype(np.int64).reshape(-1)
        return [self.decode_one(lp_all[i, : int(lengths[i])]) for i in range(lp_all.shape[0])]


def _boosted(fl, kenlm, boosts: dict[int, float], lm_weight: float):
    """KenLM scores times ``lm_weight`` plus each hotword's boost (the decoder's own weight is then 1)."""

    class Boosted(fl.LM):
        def __init__(self) -> None:
            fl.LM.__init__(self)

        def start(self, start_with_nothing: bool):
            return kenlm.start(start_with_nothing)

        def score(self, state, token: int):
            nxt, s = kenlm.score(state, token)
            return nxt, lm_weight * s + boosts.get(token, 0.0)

        def finish(self, state):
            nxt, s = kenlm.finish(state)
            return nxt, lm_weight * s

    return Boosted()
