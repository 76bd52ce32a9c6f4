"""The audio frontend: any audio input -> normalised log-mel ``(1, F, T)``, 10 ms per frame.

F mel bins, T frames, S samples.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any, ClassVar

import numpy as np
import torch

from recog.frontend import Features, Piece

from .augment import augment_features, augment_waveform
from .config import LogMelConfig
from .features import LogMel
from .io import is_file_source, load_audio
from .kind import AudioInput
from .windows import file_pieces, file_windows, waveform_windows

__all__ = ["LogMelFrontend"]

# featurize transforms frames this many at a time (2.56 s at a 10 ms hop): the frames and their spectrum, ~5 KB
# a frame, never exist for a whole window at once (bench/pass_memory.py)
CHUNK_FRAMES = 256


class LogMelFrontend(AudioInput):
    """Speech input: WAV/FLAC/OGG/MP3 files or bytes, arrays and tensors -> log-mel features.

    :meth:`load` gives a mono float32 waveform ``(S,)`` at ``config.sample_rate``;
    :meth:`featurize` gives :class:`recog.Features` with data ``(1, F, T)`` and a frame step of
    ``hop / sample_rate`` seconds. Inputs longer than ``config.window_s`` are split by :meth:`windows`.
    """

    config_class: ClassVar[type[LogMelConfig]] = LogMelConfig

    config: LogMelConfig

    def __init__(self, config: LogMelConfig | None = None) -> None:
        super().__init__(config)
        self.logmel = LogMel.from_config(self.config, chunk_frames=CHUNK_FRAMES)

    @property
    def in_features(self) -> int:
        return self.config.n_mels

    def load(self, source: Any) -> torch.Tensor:
        """Any supported source -> mono float32 ``(S,)`` at ``config.sample_rate``; errors name the input."""
        return torch.from_numpy(load_audio(source, self.config.sample_rate))

    def featurize(
        self, raw: torch.Tensor, *, augment: bool = False, generator: torch.Generator | None = None
    ) -> Features:
        """Waveform ``(S,)`` -> Features ``(1, F, T)`` with ``T = 1 + S' // hop`` (S' after speed perturbation).

        With ``augment``, speed/noise/gain are applied to the waveform and SpecAugment to the
        features, drawing only from ``generator``.
        """
        if not (isinstance(raw, torch.Tensor) and raw.ndim == 1):
            raise TypeError(f"featurize expects the waveform (S,) that load() returns, got {type(raw).__name__}")
        wave = raw.to(torch.float32)
        if augment:
            wave = augment_waveform(wave, self.config, generator)
        with torch.no_grad():
            feats, _ = self.logmel(wave[None], torch.tensor([wave.shape[0]]))  # (1, 1, F, T)
        data = feats[0]  # (1, F, T)
        if augment:
            data = augment_features(data, self.config, generator)
        return Features(data, self.config.frame_step, self.unit)

    def length_hint(self, raw: torch.Tensor) -> float:
        """Samples / hop: proportional to T without computing features."""
        return raw.shape[-1] / self.config.hop

    def export_info(self) -> dict:
        """Sample rate; raw input up to one window of samples (longer inputs are cut into windows)."""
        cfg = self.config
        max_raw = int(cfg.sample_rate * cfg.window_s) + 1
        return {"geometry": {"sample_rate": cfg.sample_rate}, "raw": f"samples at {cfg.sample_rate} Hz",
                "raw_example": cfg.sample_rate, "max_raw": max_raw, "max_frames": 1 + max_raw // cfg.hop}

    def feature_module(self) -> LogMel:
        """A fresh :class:`LogMel` in eval mode: ``(waveforms (B, S), lengths (B,)) -> (features (B, 1, F, T),
        frame_lengths (B,))``, item by item equal to :meth:`featurize` without augmentation; exports to ONNX."""
        return LogMel.from_config(self.config).eval()

    def pieces(self, source: Any) -> tuple[torch.Tensor | None, Iterator[Piece] | None]:
        """The input decoded once: its waveform ``(S,)`` for one pass, or its windows (see :meth:`windows`)."""
        cfg = self.config
        if is_file_source(source):
            found = file_pieces(source, cfg.sample_rate, cfg.window_s, cfg.overlap_s)
            if isinstance(found, np.ndarray):
                return torch.from_numpy(found), None
            windows: Iterator[Piece] | None = iter(found)
        else:
            wave = load_audio(source, cfg.sample_rate)
            windows = waveform_windows(wave, cfg.sample_rate, cfg.window_s, cfg.overlap_s)
            if windows is None:
                return torch.from_numpy(wave), None
        return None, (replace(w, data=torch.from_numpy(w.data)) for w in windows)

    def windows(self, source: Any) -> Iterator[Piece] | None:
        """Overlapping windows for audio longer than ``config.window_s``, else None.

        Files and bytes are decoded block by block (bounded memory); arrays are loaded and sliced.
        """
        cfg = self.config
        if is_file_source(source):
            found = file_windows(source, cfg.sample_rate, cfg.window_s, cfg.overlap_s)
        else:
            found = waveform_windows(load_audio(source, cfg.sample_rate), cfg.sample_rate, cfg.window_s, cfg.overlap_s)
        return None if found is None else (replace(w, data=torch.from_numpy(w.data)) for w in found)
