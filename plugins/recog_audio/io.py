"""Reading audio: files and bytes through libsndfile (``soundfile``), arrays and tensors as they are.

The audio plugin's one reader, torch-free (NumPy + soundfile): the PyTorch frontend and the ONNX
runtime (:mod:`recog_audio.reader`) both read through it, so they accept and refuse the same inputs.
Everything ends as a mono float32 waveform ``(S,)`` (S samples) at the frontend's rate. Bad input
raises a :mod:`recog.errors` ``InputError`` that names the input, never a libsndfile traceback.
"""

from __future__ import annotations

import io
import math
import os
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from numbers import Integral
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import soundfile as sf

from recog.errors import CorruptInputError, EmptyInputError, InputNotFoundError, UnsupportedFormatError
from recog.pieces import read_head

from .config import MAX_SAMPLE_RATE, MIN_SAMPLE_RATE

__all__ = [
    "AUDIO_SUFFIXES",
    "MAX_ARRAY_CHANNELS",
    "BLOCK_FRAMES",
    "sniff_audio",
    "is_audio_object",
    "is_file_source",
    "load_audio",
    "open_audio",
    "read_file",
    "read_mono",
    "shortfall_allowed",
    "resample",
]

AUDIO_SUFFIXES = (".wav", ".wave", ".flac", ".ogg", ".oga", ".opus", ".mp3")
MAX_ARRAY_CHANNELS = 8  # a 2-D array (C, S) with more rows than this is not taken for audio
BLOCK_FRAMES = 1 << 16  # frames decoded per soundfile read, so downmixing never holds a whole multichannel file
MP3_FRAME = 1152  # samples per MPEG layer III frame
SNIFF_BYTES = 64  # leading bytes enough to recognise every container above
_INT_SCALE = {np.dtype(np.int16): 2.0**15, np.dtype(np.int32): 2.0**31}  # integer PCM arrays -> [-1, 1)
_RESAMPLE_BLOCKS = 1 << 14  # output blocks per matrix product while resampling (bounded memory)

Source = Any  # a path, bytes, an array/tensor (S,) or (C, S), or (array, sample_rate)


def sniff_audio(head: bytes) -> str | None:
    """The container a file's first bytes announce ("WAV", "FLAC", "OGG", "MP3"), or None."""
    if len(head) >= 12 and head[:4] in (b"RIFF", b"RIFX", b"RF64") and head[8:12] == b"WAVE":
        return "WAV"
    if head.startswith(b"fLaC"):
        return "FLAC"
    if head.startswith(b"OggS"):
        return "OGG"
    if head.startswith(b"ID3") or _is_mpeg_frame_sync(head):
        return "MP3"
    return None


def _is_mpeg_frame_sync(head: bytes) -> bool:
    """An MPEG audio frame header: 11 sync bits, a valid version, layer I-III, a valid bitrate index."""
    if len(head) < 3 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    version, layer, bitrate = (head[1] >> 3) & 3, (head[1] >> 1) & 3, head[2] >> 4
    return version != 1 and layer != 0 and bitrate != 0xF  # layer 0 is AAC (ADTS), not MPEG audio


def is_file_source(source: Any) -> bool:
    """True for sources decoded by libsndfile: paths and the bytes of a file."""
    return isinstance(source, (str, os.PathLike, bytes, bytearray, memoryview))


def is_audio_object(obj: Any) -> bool:
    """True for in-memory audio: an array/tensor (S,) or (C, S) with C <= 8, ``(array, rate)``, or audio file bytes."""
    if isinstance(obj, (bytes, bytearray, memoryview)):
        return sniff_audio(bytes(obj[:SNIFF_BYTES])) is not None
    if isinstance(obj, tuple):
        return len(obj) == 2 and _is_rate(obj[1]) and _is_audio_array(obj[0])
    return _is_audio_array(obj)


def _is_rate(x: Any) -> bool:
    return isinstance(x, Integral) and not isinstance(x, bool)


def _is_tensor(x: Any) -> bool:
    """A torch tensor, told without importing torch (this reader serves torch-free deployments too)."""
    return type(x).__module__.partition(".")[0] == "torch" and hasattr(x, "detach")


def _is_audio_array(x: Any) -> bool:
    if _is_tensor(x):
        ok_dtype = x.is_floating_point() or str(x.dtype) in ("torch.int16", "torch.int32")
    elif isinstance(x, np.ndarray):
        ok_dtype = x.dtype.kind == "f" or x.dtype in _INT_SCALE
    else:
        return False
    return ok_dtype and (x.ndim == 1 or (x.ndim == 2 and 1 <= x.shape[0] <= MAX_ARRAY_CHANNELS))


# --- arrays -----------------------------------------------------------------


def _array_to_mono(x: Any, source: Any) -> np.ndarray:
    """An array/tensor ``(S,)`` or ``(C, S)`` as a checked mono float32 array ``(S,)``."""
    if _is_tensor(x):
        x = x.detach().cpu()
        if x.is_floating_point():
            x = x.float()  # float16/bfloat16 have no (or a lossy) numpy form
        elif str(x.dtype) not in ("torch.int16", "torch.int32"):
            raise UnsupportedFormatError(source, f"expected float, int16 or int32 samples, got dtype {x.dtype}")
        x = x.numpy()
    if not isinstance(x, np.ndarray):
        raise UnsupportedFormatError(source, f"expected a NumPy array of samples, got {type(x).__name__}")
    if x.dtype.kind != "f" and x.dtype not in _INT_SCALE:
        raise UnsupportedFormatError(source, f"expected float, int16 or int32 samples, got dtype {x.dtype}")
    if x.ndim not in (1, 2):
        raise UnsupportedFormatError(source, f"expected samples (S,) or (channels, S), got shape {tuple(x.shape)}")
    if x.ndim == 2 and x.shape[0] > MAX_ARRAY_CHANNELS:
        raise UnsupportedFormatError(
            source,
            f"expected (channels, samples) with at most {MAX_ARRAY_CHANNELS} channels, got shape {tuple(x.shape)} "
            "(transpose a (samples, channels) array)",
        )
    if x.size == 0:
        raise EmptyInputError(source, f"no audio samples (shape {tuple(x.shape)})")
    scale = _INT_SCALE.get(x.dtype)
    mono = x.astype(np.float32) if x.ndim == 1 else x.mean(axis=0, dtype=np.float64).astype(np.float32)  # (S,)
    if scale is not None:
        mono = mono / np.float32(scale)
    _check_finite(mono, source, offset=0)
    return np.ascontiguousarray(mono)


def _check_rate(rate: Any, source: Any) -> int:
    if not _is_rate(rate):
        raise UnsupportedFormatError(source, f"expected an integer sample rate, got {rate!r}")
    if not MIN_SAMPLE_RATE <= int(rate) <= MAX_SAMPLE_RATE:
        raise UnsupportedFormatError(
            source, f"sample rate {int(rate)} Hz is outside the supported {MIN_SAMPLE_RATE}..{MAX_SAMPLE_RATE} Hz"
        )
    return int(rate)


def _check_finite(block: np.ndarray, source: Any, offset: int) -> None:
    if not np.isfinite(block).all():
        first = offset + int(np.argmin(np.isfinite(block)))
        raise CorruptInputError(source, f"NaN or infinite sample at index {first}; expected finite audio samples")


# --- files ------------------------------------------------------------------


@contextmanager
def open_audio(source: str | os.PathLike | bytes | bytearray | memoryview) -> Iterator[sf.SoundFile]:
    """Open a file path or file bytes with libsndfile, checked.

    Yields an open :class:`soundfile.SoundFile` whose sample rate is sane and whose frames are non-zero.
    Raises InputNotFoundError, EmptyInputError, UnsupportedFormatError (not audio, absurd rate) or
    CorruptInputError (audio that cannot be decoded, truncated), each naming ``source``.
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        head, size, raw = data[:SNIFF_BYTES], len(data), io.BytesIO(data)
    else:
        head = read_head(source)  # InputNotFoundError naming the path
        try:
            size, raw = Path(source).stat().st_size, open(source, "rb")  # noqa: SIM115 - closed below
        except OSError as e:
            raise InputNotFoundError(source, f"cannot be opened: {e.strerror}") from None
    try:
        if size == 0:
            raise EmptyInputError(source, "the file is empty (0 bytes)")
        kind = sniff_audio(head)
        if kind == "WAV":
            _check_wav_length(raw, size, source)
        raw.seek(0)
        try:
            f = sf.SoundFile(raw)
        except (sf.LibsndfileError, RuntimeError) as e:
            raise _decode_error(source, kind, head, e) from None
        with f:
            if f.frames == 0:
                raise EmptyInputError(source, "no audio samples (0 frames)")
            _check_rate(f.samplerate, source)
            yield f
    finally:
        raw.close()


def read_mono(
    f: sf.SoundFile, frames: int, source: Any, *, kind: str | None = None, out: np.ndarray | None = None
) -> np.ndarray:
    """Decode up to ``frames`` frames from the current position as mono float32 ``(n,)``, n <= frames.

    Reads in blocks of :data:`BLOCK_FRAMES` and downmixes each into ``out`` (allocated if not
    given), so memory is the result plus one block. Returns the filled part of ``out``.
    """
    out = np.empty(frames, dtype=np.float32) if out is None else out[:frames]
    first = f.tell()  # file position of out[0], for messages
    n = 0
    while n < frames:
        try:
            block = f.read(min(BLOCK_FRAMES, frames - n), dtype="float32", always_2d=True)  # (n_block, C)
        except (sf.LibsndfileError, RuntimeError) as e:
            problem = f"cannot decode {kind or 'audio'} after sample {first + n}: {_reason(e)}"
            raise CorruptInputError(source, problem) from None
        if len(block) == 0:
            break
        mono = block[:, 0] if block.shape[1] == 1 else block.mean(axis=1, dtype=np.float32)
        _check_finite(mono, source, offset=first + n)
        out[n : n + len(mono)] = mono
        n += len(mono)
    return out[:n]


def shortfall_allowed(f: sf.SoundFile) -> int:
    """Frames a file may fall short of its declared length (MP3 lengths are estimates; others are exact)."""
    return 4 * MP3_FRAME + f.frames // 100 if f.format == "MP3" else 0


def _check_wav_length(raw: BinaryIO, size: int, source: Any) -> None:
    """Raise if a RIFF/WAVE file's ``data`` chunk runs past the end of the file (libsndfile silently trims it)."""
    raw.seek(0)
    if raw.read(4) != b"RIFF":
        return
    pos = 12
    while pos + 8 <= size:
        raw.seek(pos)
        chunk, length = struct.unpack("<4sI", raw.read(8))
        if chunk == b"data":
            available = size - pos - 8
            if length not in (0, 0xFFFFFFFF) and length > available:  # 0 / 0xFFFFFFFF: written while streaming
                raise CorruptInputError(
                    source, f"truncated WAV: its header declares {length} bytes of audio, the file holds {available}"
                )
            return
        pos += 8 + length + (length & 1)


def _decode_error(source: Any, kind: str | None, head: bytes, e: Exception) -> Exception:
    if kind is None:
        return UnsupportedFormatError(
            source, f"not a WAV, FLAC, OGG or MP3 file (starts with {head[:12]!r}; libsndfile: {_reason(e)})"
        )
    return CorruptInputError(source, f"looks like {kind} but cannot be decoded (truncated or damaged): {_reason(e)}")


def _reason(e: Exception) -> str:
    reason = getattr(e, "error_string", None) or str(e)
    return reason.strip().rstrip(".")


def read_file(source: Any) -> tuple[np.ndarray, int]:
    """A path or file bytes -> mono float32 ``(S,)`` at the file's own rate, checked for truncation."""
    with open_audio(source) as f:
        mono = read_mono(f, f.frames, source, kind=f.format)
        if f.frames - len(mono) > shortfall_allowed(f):
            raise CorruptInputError(
                source, f"truncated or damaged {f.format}: header declares {f.frames} samples, decoded {len(mono)}"
            )
        return mono, f.samplerate


# --- resampling -------------------------------------------------------------


def _sinc_kernel(orig: int, new: int, width_zeros: int = 6, rolloff: float = 0.99) -> tuple[np.ndarray, int]:
    """Polyphase windowed-sinc kernel ``(new, 2 * width + orig)`` float32 and the padding ``width``.

    ``orig`` and ``new`` are already divided by their gcd. The formula of torchaudio's ``sinc_interp_hann``
    (Hann window, 6 zero crossings, roll-off 0.99), so both paths see the same samples within float rounding.
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
    for b in range(0, frames.shape[0], _RESAMPLE_BLOCKS):
        out[b : b + _RESAMPLE_BLOCKS] = frames[b : b + _RESAMPLE_BLOCKS] @ kernel.T
    return out.reshape(-1)[: math.ceil(n * length / o)]


# --- the entry point --------------------------------------------------------


def load_audio(source: Source, sample_rate: int) -> np.ndarray:
    """Decode any supported source to a checked mono float32 waveform ``(S,)`` at ``sample_rate`` Hz.

    Sources: a path or the bytes of a WAV/FLAC/OGG/MP3 file (any rate, bit depth, channel count);
    an array or tensor ``(S,)`` or ``(C, S)`` taken to be at ``sample_rate``; or ``(array, rate)``.
    Channels are averaged. Integer arrays (int16, int32) are scaled to [-1, 1).
    """
    if is_file_source(source):
        wave, rate = read_file(source)
    elif isinstance(source, tuple):
        if len(source) != 2:
            raise UnsupportedFormatError(source, f"expected (array, sample_rate), got a tuple of {len(source)}")
        array, rate = source
        rate = _check_rate(rate, array)
        wave = _array_to_mono(array, array)
    elif isinstance(source, np.ndarray) or _is_tensor(source):
        wave, rate = _array_to_mono(source, source), sample_rate
    else:
        raise UnsupportedFormatError(
            source, "expected a path, file bytes, an array or tensor, or (array, sample_rate)"
        )
    return resample(wave, rate, sample_rate)
