"""CTC decoding: turn per-frame log-probabilities into hypotheses.

Greedy (best-path) decoding is here; beam search and language models plug in later as other
:class:`CTCDecoder` implementations with the same call signature and result type (registered
through the ``register_decoders`` hook). Written with NumPy only, so the PyTorch path and the
torch-free ONNX runtime share it. Shapes: B batch, T' output frames, V vocabulary (blank = 0).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from .vocab import Alphabet

__all__ = ["NOTHING", "silent_items", "CTCHypothesis", "CTCDecoder", "GreedyCTCDecoder", "ctc_greedy_decode"]


@dataclass(frozen=True)
class CTCHypothesis:
    """One decoded sequence.

    Attributes:
        text: the decoded text.
        tokens: token ids (no blanks), one per character of ``text``.
        spans: per token, the (first, last) output frame of the run that emitted it, inclusive.
        token_scores: per token, the best posterior probability within its run.
        confidence: geometric mean of the best-path frame posteriors, in [0, 1].
        alternatives: from a beam search asked for an n-best list: the best distinct texts with their
            decoder scores (natural-log), best first, ``text`` among them; empty otherwise.
    """

    text: str
    tokens: tuple[int, ...]
    spans: tuple[tuple[int, int], ...]
    token_scores: tuple[float, ...]
    confidence: float
    alternatives: tuple[tuple[str, float], ...] = ()


NOTHING = CTCHypothesis("", (), (), (), 1.0)  # the hypothesis of an input without signal (see silent_items)


def silent_items(batch: Any) -> list[bool]:
    """Per item of a padded input batch ``(B, ...)`` (tensor or array): True when it is all zeros.

    Such an input (a blank page, a flat feature map) carries nothing to read: recognisers give it
    :data:`NOTHING` instead of what a decoder's length bonus would invent.
    """
    flat = batch.reshape(batch.shape[0], -1)
    return [not bool(row.any()) for row in flat]


class CTCDecoder(Protocol):
    """Anything that decodes a batch of CTC log-probabilities."""

    def __call__(self, log_probs: Any, lengths: Any) -> list[CTCHypothesis]:
        """Decode ``log_probs`` (B, T', V) with valid ``lengths`` (B,) — tensors or arrays — into B hypotheses."""
        ...


def _numpy(x: Any) -> np.ndarray:
    if hasattr(x, "detach"):  # a torch tensor, without importing torch here
        x = x.detach().float().cpu().numpy()
    return np.asarray(x)


def ctc_greedy_decode(log_probs: Any, lengths: Any, alphabet: Alphabet) -> list[CTCHypothesis]:
    """Best-path CTC decoding of a padded batch.

    Args:
        log_probs: (B, T', V) log-probabilities, a torch tensor or NumPy array.
        lengths: (B,) valid frames per item.
        alphabet: maps token ids to characters; id 0 is the blank.

    Returns:
        One :class:`CTCHypothesis` per batch item: repeated ids are merged, then blanks removed.
    """
    lp = _numpy(log_probs).astype(np.float32, copy=False)
    lengths = _numpy(lengths).astype(np.int64).reshape(-1)
    b, t, _ = lp.shape
    ids = lp.argmax(axis=-1)  # (B, T')
    best = np.take_along_axis(lp, ids[..., None], axis=-1)[..., 0]  # (B, T')
    valid = np.arange(t)[None, :] < lengths[:, None]  # (B, T')
    run_start = valid.copy()  # (B, T') first frame of each run: the id changes (np.pad costs more than the work)
    run_start[:, 1:] &= ids[:, 1:] != ids[:, :-1]
    run_end = valid.copy()  # (B, T') last frame of each run: the next frame starts a run or is padding
    run_end[:, :-1] &= run_start[:, 1:] | ~valid[:, 1:]
    best_prob = np.exp(best) * valid  # (B, T')
    n_valid = np.maximum(valid.sum(axis=1), 1)  # (B,)
    conf = np.exp((best * valid).sum(axis=1) / n_valid)  # (B,)
    hyps = []
    for i in range(b):
        starts = np.flatnonzero(run_start[i])  # every run, blanks included: they tile the valid frames
        ends = np.flatnonzero(run_end[i])
        peaks = np.maximum.reduceat(best_prob[i], starts) if len(starts) else best_prob[i, :0]  # (runs,) each run's max
        keep = ids[i, starts] != 0
        starts, ends = starts[keep], ends[keep]
        tokens = tuple(ids[i, starts].tolist())
        scores = tuple(peaks[keep].tolist())
        hyps.append(
            CTCHypothesis(
                text=alphabet.decode(tokens),
                tokens=tokens,
                spans=tuple((int(s), int(e)) for s, e in zip(starts, ends)),
                token_scores=scores,
                confidence=float(conf[i]) if lengths[i] > 0 else 0.0,
            )
        )
    return hyps


class GreedyCTCDecoder:
    """:class:`CTCDecoder` that takes the best path (see :func:`ctc_greedy_decode`)."""

    name = "greedy"

    def __init__(self, alphabet: Alphabet) -> None:
        self.alphabet = alphabet

    def __call__(self, log_probs: Any, lengths: Any) -> list[CTCHypothesis]:
        return ctc_greedy_decode(log_probs, lengths, self.alphabet)

    def decode_one(self, lp: Any) -> CTCHypothesis:
        """Decode one item's log-probabilities ``lp`` (T', V)."""
        return ctc_greedy_decode(lp[None], np.array([lp.shape[0]]), self.alphabet)[0]
