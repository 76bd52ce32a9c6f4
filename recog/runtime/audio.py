"""Torch-free audio reading for the ONNX runtime: soundfile + NumPy, the audio frontend's rules.

S samples. Inputs become mono float32 waveforms ``(S,)`` at the model's rate, exactly as the
``audio`` frontend loads them: files and file bytes through libsndfile (channels averaged), arrays
``(S,)`` or ``(C, S)`` taken to be at the model's rate, ``(array, rate)`` tuples at their own.
Other rates are resampled here with the same windowed-sinc filter as ``torchaudio.functional.resample``
(Hann window, 6 zero crossings, roll-off 0.99), ported to NumPy, so the runtime and the PyTorch
path see the same samples (within float rounding). Inputs are cut into the same pieces as
the audio plugin cuts them (stretches of sound without the silences between them, long ones in
overlapping windows; planned at the file's rate and resampled one by one), so transcripts stitch
the same way.

Features are never computed here: audio exports put the log-mel in the graph (input ``raw``).
"""

from __future__ import annotations

import io
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import soundfile as sf

from ..errors import CorruptInputError, EmptyInputError, InputNotFoundError, ModelMismatchError, UnsupportedFormatError
from ..windowing import LEVEL_BLOCK_S, block_levels_db, plan_pieces, plan_windows  # noqa: F401 (plan_windows re-exported)
from .readers import Piece

if TYPE_CHECKING:  # pragma: no cover
    from .model_info import OnnxModelInfo

__all__ = ["AudioReader", "read_audio", "resample", "plan_windows"]

MIN_SAMPLE_RATE, MAX_SAMPLE_RATE = 1_000, 384_000  # Hz, as the audio frontend
MAX_ARRAY_CHANNELS = 8  # a (C, S) array with more rows is not audio
_INT_SCALE = {np.dtype(np.int16): 2.0**15, np.dtype(np.int32): 2.0**31}
_BLOCKS = 1 << 14  # output blocks per matrix product while resampling (bounded memory)


# --- resampling ----------------------------------------------------------------------------------


def _sinc_kernel(orig: int, new: int, width_zeros: int = 6, rolloff: float = 0.99) -> tuple[np.ndarray, int]:
    """Polyphase windowed-sinc kernel ``(new, 2 * width + orig)`` float32 and the padding ``width``.

    ``orig`` and ``new`` are already divided by their gcd. Same formula as torchaudio's ``sinc_interp_hann``.
    """
    base = min(orig, new) * rolloff
    width = math.ceil(width_zeros * orig / base)
    idx = np.arange(-width, width + orig, dtype=np.float64)[None, :] / orig  # (1, K)
    t = np.arange(0, -new, -1, dtype=np.float64)[:, None] / new + idx  # (new, K)
    t = np.clip(t * base, -width_zeros, width_zeros)
    window = np.cos(t * math.pi / width_zeros / 2) ** 2
    t = t * math.pi
    with np.errstate(invalid="ignore", divide="ignore"):
        kernel = np.where(t == 0, 1.0, np.sin(t) / t)
    return (kernel * window * (base / orig)).astype(np.float32), width


def resample(wave: np.ndarray, orig: int, new: int) -> np.ndarray:
    """Mono ``(S,)`` float32 at ``orig`` Hz -> ``(ceil(S * new / orig),)`` at ``new`` Hz; a no-op if equal."""
    if orig == new:
        return wave
    g = math.gcd(orig, new)
    o, n = orig // g, new // g
    kernel, width = _sinc_kernel(o, n)  # (n, K)
    length = wave.shape[0]
    padded = np.pad(wave.astype(np.float32, copy=False), (width, width + o))
    frames = np.lib.stride_tricks.sliding_window_view(padded, kernel.shape[1])[::o]  # (blocks, K), a view
    out = np.empty((frames.shape[0], n), dtype=np.float32)  # (blocks, n)
    for b in range(0, frames.shape[0], _BLOCKS):
        out[b : b + _BLOCKS] = frames[b : b + _BLOCKS] @ kernel.T
    return out.reshape(-1)[: math.ceil(n * length / o)]


# --- reading -------------------------------------------------------------------------------------


def _check_rate(rate: Any, source: Any) -> int:
    if isinstance(rate, bool) or not isinstance(rate, (int, np.integer)):
        raise UnsupportedFormatError(source, f"expected an integer sample rate, got {rate!r}")
    if not MIN_SAMPLE_RATE <= int(rate) <= MAX_SAMPLE_RATE:
        raise UnsupportedFormatError(
            source, f"sample rate {int(rate)} Hz is outside the supported {MIN_SAMPLE_RATE}..{MAX_SAMPLE_RATE} Hz"
        )
    return int(rate)


def _check_finite(x: np.ndarray, source: Any) -> None:
    if not np.isfinite(x).all():
        first = int(np.argmin(np.isfinite(x)))
        raise CorruptInputError(source, f"NaN or infinite sample at index {first}; expected finite audio samples")


def _array_to_mono(x: Any, source: Any) -> np.ndarray:
    """An array ``(S,)`` or ``(C, S)`` (float, int16, int32) as mono float32 ``(S,)``."""
    if not isinstance(x, np.ndarray):
        raise UnsupportedFormatError(source, f"expected a NumPy array of samples, got {type(x).__name__}")
    if x.dtype.kind != "f" and x.dtype not in _INT_SCALE:
        raise UnsupportedFormatError(source, f"expected float, int16 or int32 samples, got dtype {x.dtype}")
    if x.ndim not in (1, 2) or (x.ndim == 2 and x.shape[0] > MAX_ARRAY_CHANNELS):
        raise UnsupportedFormatError(
            source, f"expected samples (S,) or (channels, S) with at most {MAX_ARRAY_CHANNELS} channels, got {x.shape}"
        )
    if x.size == 0:
        raise EmptyInputError(source, f"no audio samples (shape {tuple(x.shape)})")
    mono = x.astype(np.float32) if x.ndim == 1 else x.mean(axis=0, dtype=np.float64).astype(np.float32)
    scale = _INT_SCALE.get(x.dtype)
    if scale is not None:
        mono = mono / np.float32(scale)
    _check_finite(mono, source)
    return np.ascontiguousarray(mono)


def _read_file(source: Any) -> tuple[np.ndarray, int]:
    """A path or file bytes -> mono float32 ``(S,)`` and the file's rate."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        if not data:
            raise EmptyInputError(source, "no bytes, expected an audio file")
        fp: Any = io.BytesIO(data)
    else:
        path = Path(source)
        if not path.is_file():
            raise InputNotFoundError(path, "no such file" if not path.exists() else "not a regular file")
        if path.stat().st_size == 0:
            raise EmptyInputError(path, "the file is empty (0 bytes)")
        fp = str(path)
    try:
        with sf.SoundFile(fp) as f:
            if f.frames == 0:
                raise EmptyInputError(source, "no audio samples (0 frames)")
            rate = _check_rate(f.samplerate, source)
            block = f.read(dtype="float32", always_2d=True)  # (S, C)
    except (sf.LibsndfileError, RuntimeError) as e:
        reason = (getattr(e, "error_string", None) or str(e)).strip().rstrip(".")
        raise UnsupportedFormatError(source, f"not audio that libsndfile decodes (WAV, FLAC, OGG, MP3): {reason}") from None
    if len(block) == 0:
        raise CorruptInputError(source, "no audio could be decoded")
    mono = block[:, 0] if block.shape[1] == 1 else block.mean(axis=1, dtype=np.float32)  # (S,)
    _check_finite(mono, source)
    return np.ascontiguousarray(mono), rate


def read_audio(source: Any, sample_rate: int) -> np.ndarray:
    """Any supported source -> mono float32 ``(S,)`` at ``sample_rate`` (resampled if needed)."""
    if isinstance(source, (str, os.PathLike, bytes, bytearray, memoryview)):
        wave, rate = _read_file(source)
    elif isinstance(source, tuple) and len(source) == 2:
        rate = _check_rate(source[1], source[0])
        wave = _array_to_mono(source[0], source[0])
    elif isinstance(source, np.ndarray):
        wave, rate = _array_to_mono(source, source), sample_rate
    else:
        raise UnsupportedFormatError(source, "expected a path, file bytes, a NumPy array, or (array, sample_rate)")
    return resample(wave, rate, sample_rate)




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

    def pieces(self, source: Any, kind: str) -> list[Piece]:
        if kind != "raw":
            raise ModelMismatchError(
                "the torch-free runtime computes no log-mel features; export audio models with the features "
                "in the graph (recog export --features-in-graph, the default)"
            )
        sr = self.sample_rate
        if isinstance(source, (str, os.PathLike, bytes, bytearray, memoryview)):
            wave, rate = _read_file(source)  # windows are planned at the file's rate and resampled one by one
        else:
            wave, rate = read_audio(source, sr), sr
        # speech stretches cut at silences, long ones windowed: the audio plugin's plan
        plan = plan_pieces(block_levels_db(wave, round(LEVEL_BLOCK_S * rate)), rate, len(wave), self.window_s, self.overlap_s)
        if plan is None:
            return [Piece(resample(wave, rate, sr), self.frame_step)]
        return [
            Piece(resample(wave[s:e], rate, sr), self.frame_step, s / rate, (own_s / rate, own_e / rate), e / rate)
            for s, e, own_s, own_e in plan
        ]
