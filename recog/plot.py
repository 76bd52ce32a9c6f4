"""A picture of one recognition: the features the model saw, its posteriorgram, and the tokens it read.

    recog transcribe call.wav --plot call.png
    recog align call.wav "please call stella" --plot call.png

Needs matplotlib (``pip install 'recog[plot]'``). Shapes: C channels, F feature rows, T frames, T' output frames,
V vocabulary.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import torch

from .atomic import atomic_write
from .errors import ConfigError
from .results import Transcript

__all__ = ["plot_recognition"]


def plot_recognition(recognizer: Any, source: Any, transcript: Transcript, out: str | os.PathLike, *,
                     top: int = 12) -> Path:
    """Draw ``source`` as ``recognizer`` sees it, with ``transcript`` (from its transcribe or align), to a PNG.

    Rows: the features ``(F, T)`` (log-mel, or the scaled line image), the posteriorgram of the ``top`` most
    likely symbols ``(top, T')`` with the blank first, and the transcript's characters at their positions.
    """
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise ConfigError("--plot needs matplotlib (pip install 'recog[plot]')") from None
    ft = recognizer.frontend_for(source).features(source)
    with torch.inference_mode():
        lp, out_len = recognizer.model(ft.data[None].to(recognizer.device), torch.tensor([ft.num_frames]))
    post = lp[0, : int(out_len[0])].exp().float().cpu().numpy().T  # (V, T')
    chars = ["∅", *recognizer.alphabet.chars]
    keep = [0] + [int(i) for i in np.argsort(-post[1:].max(axis=1))[: top - 1] + 1]  # blank + the likeliest
    step = recognizer.model.config.time_stride * ft.frame_step
    t0, t1 = ft.offset, ft.offset + post.shape[1] * step
    unit = "s" if transcript.unit == "s" else "px"
    fig, axes = plt.subplots(3, 1, figsize=(max(8.0, min(24.0, post.shape[1] / 12)), 7), sharex=True,
                             gridspec_kw={"height_ratios": [3, 3, 1]})
    feats = ft.data[0].float().cpu().numpy()  # (F, T)
    axes[0].imshow(feats, aspect="auto", origin="lower" if unit == "s" else "upper", cmap="magma",
                   extent=(t0, ft.offset + ft.num_frames * ft.frame_step, 0, feats.shape[0]))
    axes[0].set_ylabel("features")
    axes[1].imshow(post[keep], aspect="auto", origin="upper", cmap="Greys", vmin=0, vmax=1,
                   extent=(t0, t1, len(keep) - 0.5, -0.5))
    axes[1].set_yticks(range(len(keep)), [repr(chars[i])[1:-1] if chars[i] != " " else "␣" for i in keep])
    axes[1].set_ylabel("posteriors")
    for tok in transcript.tokens:
        axes[2].axvspan(tok.start, tok.end, color="tab:blue", alpha=0.15 + 0.5 * tok.confidence)
        axes[2].text((tok.start + tok.end) / 2, 0.5, "␣" if tok.text == " " else tok.text, ha="center", va="center")
    axes[2].set_yticks([])
    axes[2].set_xlabel(f"position ({unit})   text: {transcript.text!r}   confidence {transcript.confidence:.2f}")
    fig.tight_layout()
    try:
        return atomic_write(out, lambda tmp: fig.savefig(tmp, format="png", dpi=100))
    finally:
        plt.close(fig)
