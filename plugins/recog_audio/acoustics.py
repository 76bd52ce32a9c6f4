"""What a recording picks up on its way to the file: rooms, background noise and the telephone channel.

Training-time only (see :mod:`recog_audio.augment`). Shapes: S samples, R impulse-response taps.

- Rooms: impulse responses of simulated shoebox rooms (image-source method, pyroomacoustics), drawn
  deterministically from a room index and cached in memory and on disk, so a seed fixes them.
- Background noise: segments of real recordings listed in a JSONL manifest (``{"path": ...}`` rows,
  no speech), read once through the plugin's reader.
- Telephone: 8 kHz, 300-3400 Hz band, G.711 mu-law quantisation, back to the model's rate.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path

import numpy as np
import torch
import torchaudio.functional as AF

from recog.errors import ConfigError, DataError, InputError

from .io import load_audio
from .io import resample as _resample_np

__all__ = ["room_impulse_response", "reverberate", "NoiseBank", "noise_bank", "telephone_channel"]

_LOCK = threading.Lock()
_RIRS: dict[tuple, torch.Tensor] = {}
_BANKS: dict[tuple[str, int], NoiseBank] = {}
_RIR_VERSION = 1  # bump when the room recipe below changes (invalidates the disk cache)


def _cache_dir() -> Path:
    root = os.environ.get("RECOG_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "recog")
    return Path(root) / "rirs"


def _simulate_room(index: int, sample_rate: int, rt60_min: float, rt60_max: float) -> np.ndarray:
    """Impulse response ``(R,)`` of room ``index``: size, RT60, source and microphone drawn from the index."""
    try:
        import pyroomacoustics as pra
    except ImportError:
        raise ConfigError("reverberation needs pyroomacoustics (pip install 'recog[train]'), or set reverb_prob 0") from None
    rng = np.random.default_rng([index, 0x52495220])
    dims = np.array([rng.uniform(3.0, 10.0), rng.uniform(3.0, 8.0), rng.uniform(2.4, 4.0)])  # metres
    rt60 = rng.uniform(rt60_min, rt60_max)
    try:
        absorption, max_order = pra.inverse_sabine(rt60, dims)
    except ValueError:  # the room is too large for this RT60 (Sabine's formula fails): use a plainer room
        absorption, max_order = pra.inverse_sabine(rt60, np.array([4.0, 4.0, 3.0]))
        dims = np.array([4.0, 4.0, 3.0])
    room = pra.ShoeBox(dims, fs=sample_rate, materials=pra.Material(absorption), max_order=min(max_order, 12))
    margin = 0.5
    src = rng.uniform(margin, dims - margin)
    mic = rng.uniform(margin, dims - margin)
    room.add_source(src)
    room.add_microphone(mic)
    room.compute_rir()
    rir = np.asarray(room.rir[0][0], dtype=np.float32)
    start = max(int(np.argmax(np.abs(rir))) - int(0.0025 * sample_rate), 0)  # keep 2.5 ms before the direct path
    rir = rir[start:]
    return rir / max(float(np.sqrt((rir**2).sum())), 1e-9)


def room_impulse_response(index: int, sample_rate: int, rt60_min: float, rt60_max: float) -> torch.Tensor:
    """Unit-energy impulse response ``(R,)`` of simulated room ``index``, starting at the direct path.

    Deterministic in its arguments; cached in memory and under ``$RECOG_CACHE/rirs`` (default
    ``~/.cache/recog/rirs``).
    """
    key = (index, sample_rate, round(rt60_min, 4), round(rt60_max, 4), _RIR_VERSION)
    with _LOCK:
        hit = _RIRS.get(key)
    if hit is not None:
        return hit
    name = hashlib.sha1(json.dumps(key).encode()).hexdigest()[:16] + ".npy"
    path = _cache_dir() / name
    rir = None
    if path.is_file():
        try:
            rir = np.load(path, allow_pickle=False)
        except (OSError, ValueError):
            rir = None  # a damaged cache file is simulated again
    if rir is None:
        rir = _simulate_room(index, sample_rate, rt60_min, rt60_max)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            with open(tmp, "wb") as f:
                np.save(f, rir, allow_pickle=False)
            os.replace(tmp, path)
        except OSError:
            pass  # no cache, same result
    out = torch.from_numpy(np.ascontiguousarray(rir, dtype=np.float32))
    with _LOCK:
        _RIRS[key] = out
    return out


def reverberate(wave: torch.Tensor, rir: torch.Tensor) -> torch.Tensor:
    """Convolve ``(S,)`` with ``rir`` ``(R,)``; same length and RMS as the input (the tail is cut)."""
    if wave.shape[0] == 0:
        return wave
    wet = AF.fftconvolve(wave, rir)[: wave.shape[0]]
    dry_rms = wave.pow(2).mean().sqrt()
    return wet * (dry_rms / wet.pow(2).mean().sqrt().clamp_min(1e-9))


class NoiseBank:
    """Background recordings (mono, at ``sample_rate``) read from a manifest, cut into segments on demand.

    Args:
        manifest: JSONL file whose rows have ``path`` (relative to the manifest's folder).
        sample_rate: rate of the waveforms handed out.

    Raises:
        DataError: the manifest is missing, empty, or names a file that is not readable audio.
    """

    def __init__(self, manifest: str | os.PathLike, sample_rate: int) -> None:
        path = Path(manifest)
        if not path.is_file():
            raise DataError(f"{path}: noise manifest not found")
        self.waves: list[torch.Tensor] = []
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                source = path.parent / row["path"]
            except (json.JSONDecodeError, KeyError, TypeError):
                raise DataError(f"{path}:{n}: each line needs a 'path'") from None
            try:
                wave = torch.from_numpy(load_audio(source, sample_rate))
            except InputError as e:
                raise DataError(f"{path}:{n}: {e}") from None
            if wave.shape[0] >= sample_rate // 10 and float(wave.abs().max()) > 0:
                self.waves.append(wave)
        if not self.waves:
            raise DataError(f"{path}: no usable noise recordings (each needs >= 0.1 s of sound)")

    def segment(self, n: int, generator: torch.Generator | None) -> torch.Tensor:
        """A random ``(n,)`` stretch of a random recording (looped when the recording is shorter)."""
        k = int(torch.randint(len(self.waves), (), generator=generator))
        wave = self.waves[k]
        start = int(torch.randint(wave.shape[0], (), generator=generator))
        reps = (start + n) // wave.shape[0] + 1
        looped = wave.repeat(reps) if reps > 1 else wave
        return looped[start : start + n]


def noise_bank(manifest: str | os.PathLike, sample_rate: int) -> NoiseBank:
    """The :class:`NoiseBank` of ``manifest`` at ``sample_rate``, read once per process."""
    key = (str(Path(manifest).resolve()), sample_rate)
    with _LOCK:
        bank = _BANKS.get(key)
    if bank is None:
        bank = NoiseBank(manifest, sample_rate)
        with _LOCK:
            _BANKS[key] = bank
    return bank


def resample(wave: torch.Tensor, orig: int, new: int) -> torch.Tensor:
    """``(S,)`` at ``orig`` Hz -> ``(S',)`` at ``new`` Hz: the reader's resampler (:func:`recog_audio.io.resample`) on a tensor."""
    if orig == new:
        return wave
    return torch.from_numpy(_resample_np(wave.detach().cpu().to(torch.float32).numpy(), orig, new))


def telephone_channel(wave: torch.Tensor, sample_rate: int) -> torch.Tensor:
    """``(S,)`` at ``sample_rate`` as heard through a narrow-band telephone line, back at ``sample_rate``.

    Resampled to 8 kHz, band-passed to 300-3400 Hz, quantised with 8-bit mu-law (G.711) at the
    signal's own peak level, then resampled back.
    """
    if wave.shape[0] == 0:
        return wave
    narrow = resample(wave, sample_rate, 8000)
    narrow = AF.highpass_biquad(narrow, 8000, 300.0)
    narrow = AF.lowpass_biquad(narrow, 8000, 3400.0)
    peak = narrow.abs().max().clamp_min(1e-6)
    coded = AF.mu_law_decoding(AF.mu_law_encoding(narrow / peak, 256), 256) * peak
    return resample(coded, 8000, sample_rate)[: wave.shape[0]]
