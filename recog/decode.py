"""CTC decoding: turn per-frame log-probabilities into hypotheses.

Greedy (best-path) decoding is here; beam search and language models plug in later as other
:class:`CTCDecoder` implementations with the same call signature and result type.
Shapes: B batch, T' output frames, V vocabulary (blank = 0).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import torch

from .vocab import Alphabet

__all__ = ["CTCHypothesis", "CTCDecoder", "GreedyCTCDecoder", "ctc_greedy_decode"]


@dataclass(frozen=True)
class CTCHypothesis:
    """One decoded sequence.

    Attributes:
        text: the decoded text.
        tokens: token ids (no blanks), one per character of ``text``.
        spans: per token, the (first, last) output frame of the run that emitted it, inclusive.
        token_scores: per token, the best posterior probability within its run.
        confidence: geometric mean of the best-path frame posteriors, in [0, 1].
    """

    text: str
    tokens: tuple[int, ...]
    spans: tuple[tuple[int, int], ...]
    token_scores: tuple[float, ...]
    confidence: float


class CTCDecoder(Protocol):
    """Anything that decodes a batch of CTC log-probabilities."""

    def __call__(self, log_probs: torch.Tensor, lengths: torch.Tensor) -> list[CTCHypothesis]:
        """Decode ``log_probs`` (B, T', V) with valid ``lengths`` (B,) into B hypotheses."""
        ...


def ctc_greedy_decode(log_probs: torch.Tensor, lengths: torch.Tensor, alphabet: Alphabet) -> list[CTCHypothesis]:
    """Best-path CTC decoding of a padded batch.

    Args:
        log_probs: (B, T', V) log-probabilities (or any scores whose argmax is the best path).
        lengths: (B,) valid frames per item.
        alphabet: maps token ids to characters; id 0 is the blank.

    Returns:
        One :class:`CTCHypothesis` per batch item: repeated ids are merged, then blanks removed.
    """
    log_probs = log_probs.detach().float()
    b, t, _ = log_probs.shape
    best, ids = log_probs.max(dim=-1)  # (B, T'), (B, T')
    valid = torch.arange(t, device=ids.device)[None, :] < lengths[:, None].to(ids.device)  # (B, T')
    prev = torch.nn.functional.pad(ids, (1, 0), value=-1)[:, :-1]  # (B, T') id of the previous frame
    run_start = (ids != prev) & valid  # (B, T') first frame of each run
    emit = run_start & (ids != 0)  # (B, T') runs that emit a token
    # last frame of each run: the frame before the next run start (or the last valid frame)
    next_start = torch.nn.functional.pad(run_start, (0, 1), value=False)[:, 1:]  # (B, T')
    next_valid = torch.nn.functional.pad(valid, (0, 1), value=False)[:, 1:]  # (B, T')
    run_end = valid & (next_start | ~next_valid)  # (B, T')
    best_prob = best.exp() * valid  # (B, T')
    n_valid = valid.sum(dim=1).clamp(min=1)  # (B,)
    conf = ((best * valid).sum(dim=1) / n_valid).exp()  # (B,)

    best_prob, ids, emit, run_start, run_end = (x.cpu() for x in (best_prob, ids, emit, run_start, run_end))
    hyps = []
    for i in range(b):
        starts = torch.nonzero(run_start[i]).flatten().tolist()
        ends = torch.nonzero(run_end[i]).flatten().tolist()
        row_ids = ids[i].tolist()
        row_emit = emit[i].tolist()
        tokens, spans, scores = [], [], []
        for s, e in zip(starts, ends):
            if row_emit[s]:
                tokens.append(row_ids[s])
                spans.append((s, e))
                scores.append(float(best_prob[i, s : e + 1].max()))
        if int(lengths[i]) == 0:
            conf_i = 0.0
        else:
            conf_i = float(conf[i])
        hyps.append(
            CTCHypothesis(
                text=alphabet.decode(tokens),
                tokens=tuple(tokens),
                spans=tuple(spans),
                token_scores=tuple(scores),
                confidence=conf_i,
            )
        )
    return hyps


class GreedyCTCDecoder:
    """:class:`CTCDecoder` that takes the best path (see :func:`ctc_greedy_decode`)."""

    name = "greedy"

    def __init__(self, alphabet: Alphabet) -> None:
        self.alphabet = alphabet

    def __call__(self, log_probs: torch.Tensor, lengths: torch.Tensor) -> list[CTCHypothesis]:
        return ctc_greedy_decode(log_probs, lengths, self.alphabet)
