"""The torch-free reader of audio exports (ONNX runtime): the plugin's own reading and cutting.

Sources are read by :mod:`recog_audio.io` and cut by :mod:`recog_audio.windows`, the code the
PyTorch frontend uses, so both paths accept, refuse and cut the same inputs. Files are decoded once;
long ones block by block (levels first, then one window at a time). Pieces hold raw waveforms
``(S,)`` at the model's rate: audio exports compute the log-mel inside the graph (input ``raw``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from recog.errors import ModelMismatchError
from recog.pieces import Piece

from .io import is_file_source, load_audio
from .windows import file_pieces, waveform_windows

if TYPE_CHECKING:  # pragma: no cover
    from recog.runtime.model_info import OnnxModelInfo

__all__ = ["AudioReader"]


@dataclass(frozen=True)
class AudioReader:
    """Reads audio for an export of the ``audio`` frontend (graph input ``raw``)."""

    sample_rate: int  # Hz, the model's rate
    frame_step: float  # seconds per feature frame
    window_s: float = 20.0  # longer inputs are windowed ...
    overlap_s: float = 2.0  # ... with this overlap
    kinds: tuple[str, ...] = ("raw",)

    @classmethod
    def from_info(cls, info: OnnxModelInfo) -> AudioReader:
        cfg = info.frontend_config
        return cls(int(cfg["sample_rate"]), float(info.frame_step), float(cfg["window_s"]), float(cfg["overlap_s"]))

    def pieces(self, source: Any, kind: str) -> list[Piece] | Iterator[Piece]:
        """The pieces of ``source``: the whole waveform, or stretches cut at silences / windows of a long one
        (a list when read at once, an iterator decoding a long file window by window)."""
        if kind != "raw":
            raise ModelMismatchError(
                "the torch-free runtime computes no log-mel features; export audio models with the features "
                "in the graph (recog export --features-in-graph, the default)"
            )
        sr = self.sample_rate
        if is_file_source(source):
            found = file_pieces(source, sr, self.window_s, self.overlap_s)
        else:
            wave = load_audio(source, sr)
            found = waveform_windows(wave, sr, self.window_s, self.overlap_s)
            if found is None:
                found = wave
        if isinstance(found, np.ndarray):
            return [Piece(found, frame_step=self.frame_step)]
        cut = (replace(w, frame_step=self.frame_step) for w in found)
        return list(cut) if isinstance(found, list) else cut
