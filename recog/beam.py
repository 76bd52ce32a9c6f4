"""CTC beam search: characters with a character LM (C), words with a word LM (flashlight-text, C++).

Two decoders share one options object (:class:`BeamOptions`) and one result type:

* :class:`BeamCTCDecoder` (``"beam"``): lexicon-free prefix beam search over characters, for open
  vocabularies (handwriting, spelled letters, names). Prefixes are ranked by::

      log P_ctc(prefix) + lm_weight * log P_charlm(prefix) + char_bonus * len(prefix) + hotword bias

  (the CTC probability sums over all alignments: blank-ending and character-ending paths are kept
  apart, Hannun et al. 2014; the per-character bonus offsets the LM's pull towards short texts).
  The search loop runs in C (``recog/_ctcbeam.c``, compiled by ``pip install``): per frame the K kept
  prefixes and their C candidate characters are ranked together. The character LM stays a Python
  object (any :class:`recog.lm.CharLanguageModel`; the project's n-gram LM computes its rows in C too),
  asked once per new (context, character) step; its rows are kept on the C side across the items a
  decoder reads. The C loop replaced a NumPy one with
  identical results (same texts, n-best and scores on AN4 test and ARCTIC/cathy, with and without
  hotwords) at 5-8x the speed. flashlight-text's lexicon-free decoder was measured against the NumPy
  one (2026-12-03): with this objective through a Python LM callback it was no faster at equal
  accuracy; with native KenLM it has no per-character bonus (KenLM refuses the positive
  log-probabilities that folding the bonus into the LM needs; a bonus per frame instead costs 0.4-1.5
  CER points; and PyPI's KenLM reads at most order 6, below the handwriting LM's 7).
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
import threading
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from .decode import CTCHypothesis, _numpy
from .errors import ConfigError
from .lm import EOS, CharLanguageModel, CharNgramLM
from .native import ctcbeam
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
    still but lost 0.4 WER points on DHSD. A beam of 32 instead of 16 lowered dev WER on every set measured
    (speechocean762 dev 52.89 -> 52.22, ARCTIC/cathy dev 44.70 -> 44.51, Hooker dev 44.72 -> 44.03, DHSD dev
    27.39 -> 26.35; ``--beam-variant beam=32``) for 0.07-0.24 of the network's time instead of 0.07-0.17.
    """

    beam: int = 32
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
    """Phrases as character paths, each node with the bias earned on the way to it (the search reads it in C).

    Reading a character from a node moves along the trie and adds the phrase's share of the score; when a
    match breaks off its credit is taken back, unless a whole phrase ended at a word boundary; a phrase
    starts only where a word starts; at the end of the text an open match that is not a whole phrase is
    taken back (``hot_step`` and the final scores in ``recog/_ctcbeam.c``).
    """

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


def _flashlight():
    try:
        from flashlight.lib.text import decoder as fl
    except ImportError as e:  # pragma: no cover - a dependency
        raise ConfigError(f"word decoding needs flashlight-text (pip install flashlight-text): {e}") from None
    return fl


class _LMContexts:
    """The LM side of a decoder's searches: contexts numbered as the C search meets them, each with its row.

    Kept across the items a decoder reads (up to :data:`_MAX_CONTEXTS`): the C side remembers each
    (context, token) -> context step and each context's row, so the LM is asked once per new step.
    ``extend(ctx_id, token)`` (called by :func:`recog._ctcbeam.search` once per new (context, token) pair)
    returns the id of the context after ``token`` and, for an id not seen before, its row ``(V,)``: the
    log-probability of the end of the text at 0 and of token k at k. A :class:`CharNgramLM` writes it in
    this layout at once (:meth:`CharNgramLM.log_row`); any other :class:`CharLanguageModel` is asked
    character by character.
    """

    def __init__(self, lm: CharLanguageModel, chars: list[str]) -> None:
        self.lm, self.chars = lm, chars
        self.columns = {EOS: 0, **{c: k + 1 for k, c in enumerate(chars)}}  # row layout: the end of text, then tokens
        self.reset()

    def reset(self) -> None:
        """Forget every context but the start (bounded memory over hours of input)."""
        start = self.lm.start()
        self.ctxs: list[Any] = [start]
        self.ids: dict[Any, int] = {start: 0}
        self.table = ctcbeam().contexts(self.row(start), len(self.chars) + 1)  # rows and memo, on the C side

    def row(self, ctx: Any) -> np.ndarray:
        if isinstance(self.lm, CharNgramLM):
            return self.lm.log_row(ctx, self.columns, len(self.chars) + 1)
        return np.asarray([self.lm.logp(ctx, c) for c in [EOS, *self.chars]], dtype=np.float64)

    def extend(self, ctx_id: int, token: int) -> tuple[int, np.ndarray | None]:
        ctx = self.lm.advance(self.ctxs[ctx_id], self.chars[token - 1])
        found = self.ids.get(ctx)
        if found is not None:
            return found, None
        self.ids[ctx] = len(self.ctxs)
        self.ctxs.append(ctx)
        return len(self.ctxs) - 1, self.row(ctx)


def _hot_arrays(hot: _HotwordTrie, chars: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The hotword trie as arrays for the C search: children (N, V) by token (-1: none), gain (N,), ends (N,)."""
    token = {c: i + 1 for i, c in enumerate(chars)}
    children = np.full((len(hot.children), len(chars) + 1), -1, dtype=np.int32)
    for n, kids in enumerate(hot.children):
        for c, child in kids.items():
            if c in token:  # a character the model cannot write is never read
                children[n, token[c]] = child
    return children, np.asarray(hot.gain, dtype=np.float64), np.asarray(hot.ends, dtype=np.uint8)


_MAX_CONTEXTS = 50_000  # LM contexts a decoder keeps (each a row of V floats on the C side)


# --- alignment ----------------------------------------------------------------------------------
def _align_states(lp: np.ndarray, tokens: tuple[int, ...], optional: int | None = None) -> tuple[np.ndarray, list[int]]:
    """Viterbi through the blank-interleaved sequence ``ext = [0, t1, 0, t2, ..., 0]``: its state per frame.

    A state may be entered from itself, the previous state, or (for a character different from the
    one two back) skip the blank in between. Tokens equal to ``optional`` (the space, for the word
    decoder, whose words need not be separated by a space frame) may take no frame at all. Runs in C
    (:func:`recog._ctcbeam.align`). Returns the state index per frame ``(T',)`` and ``ext``.
    """
    lp = np.ascontiguousarray(lp, dtype=np.float64)
    ext = [0]
    for k in tokens:
        ext += [k, 0]
    states = np.zeros(lp.shape[0], dtype=np.int64)
    ctcbeam().align(lp, lp.shape[0], lp.shape[1], tokens, optional or 0, states)
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
        hot = _HotwordTrie(options.hotwords, alphabet.normalize)
        self._trie = _hot_arrays(hot, alphabet.chars) if not hot.empty else (None, None, None)  # built once
        self._space = alphabet.chars.index(" ") + 1 if " " in alphabet.chars else -1
        self._ctxs = _LMContexts(lm, alphabet.chars) if lm is not None and options.lm_weight > 0 else None
        self._lock = threading.Lock()

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
        return _best(self._search(lp), self.options, self.alphabet, lp)

    def _search(self, lp: np.ndarray) -> list[tuple[tuple[int, ...], float]]:
        """The best prefixes (token ids) of one item's ``lp`` (T', V) with their final scores, best first.

        The loop runs in C (:mod:`recog._ctcbeam`): per frame, the K kept prefixes and their C candidate
        characters (those above ``prune``, at most ``beam_token``) are ranked together; frames where no
        character passes ``prune`` only carry the prefixes on. The LM is asked once per new context.
        """
        lp = np.ascontiguousarray(lp, dtype=np.float64)
        o, ctxs = self.options, self._ctxs
        threshold = CHAR_THRESHOLD if o.threshold is None else o.threshold
        with self._lock:  # the LM contexts are shared by this decoder's searches (a recogniser used from threads)
            if ctxs is not None and len(ctxs.ctxs) > _MAX_CONTEXTS:
                ctxs.reset()
            return ctcbeam().search(
                lp, lp.shape[0], lp.shape[1], o.beam, o.beam_token, threshold, o.prune, o.lm_weight, o.char_bonus,
                ctxs.extend if ctxs else None, ctxs.table if ctxs else None, *self._trie, self._space,
            )

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
