"""Log-mel features: pure functions and the :class:`LogMel` module over them.

Shapes: B batch, S samples, K = n_fft/2 + 1 frequency bins, F mel bins, T frames.

Frame t is centred on sample ``t * hop`` (the waveform is zero-padded by ``n_fft // 2`` at both
ends), so a waveform of S samples gives ``T = 1 + S // hop`` frames. Zero padding, rather than
reflection, makes an item's frames the same whether it is featurized alone or padded in a batch.
The spectrum is a product of the frames with a windowed DFT basis: real arithmetic only, no
Python branching on values, so the module traces and exports to ONNX with either exporter (a
complex STFT does not), and an item's features do not depend on what it is batched with.
"""

from __future__ import annotations

import math

import torch
import torchaudio.functional as AF
from torch import nn

from .config import LogMelConfig

__all__ = ["LogMel", "frame_lengths", "dft_basis", "frame_signal", "power_spectrogram", "masked_normalize", "log_mel", "mel_spectrogram"]


def frame_lengths(num_samples: torch.Tensor, hop: int) -> torch.Tensor:
    """Frames T per waveform: ``1 + S // hop``. ``(B,)`` int64 -> ``(B,)`` int64."""
    return torch.div(num_samples, hop, rounding_mode="floor") + 1


def dft_basis(n_fft: int) -> torch.Tensor:
    """Periodic-Hann-windowed cosine and sine columns ``(n_fft, 2K)``: frames @ basis = [Re | Im] of their DFT."""
    window = torch.hann_window(n_fft, periodic=True, dtype=torch.float64)
    n = torch.arange(n_fft, dtype=torch.float64)[:, None]  # (n_fft, 1)
    k = torch.arange(n_fft // 2 + 1, dtype=torch.float64)[None, :]  # (1, K)
    angle = 2 * math.pi * n * k / n_fft  # (n_fft, K)
    basis = torch.cat([torch.cos(angle), -torch.sin(angle)], dim=1) * window[:, None]  # (n_fft, 2K)
    return basis.to(torch.float32)


def frame_signal(waveforms: torch.Tensor, n_fft: int, hop: int) -> torch.Tensor:
    """Centred, zero-padded frames: ``(B, S)`` -> ``(B, T, n_fft)`` with T = 1 + S // hop.

    Built from reshapes, slices and a concatenation (no ``unfold``), so it exports to ONNX with
    dynamic B and S: the padded signal is cut into hop-sized chunks and frame t joins chunks
    t .. t+k-1, k = ceil(n_fft / hop).
    """
    return _frames(_pad(waveforms, n_fft, hop), 0, waveforms.shape[-1] // hop + 1, n_fft, hop)


def _pad(waveforms: torch.Tensor, n_fft: int, hop: int) -> torch.Tensor:
    """``(B, S)`` -> ``(B, S + n_fft + k*hop)``: centred zero padding, and room for the last frame's chunks."""
    k = -(-n_fft // hop)
    return nn.functional.pad(waveforms, (n_fft // 2, n_fft // 2 + k * hop))


def _frames(padded: torch.Tensor, start: int, n_frames: int, n_fft: int, hop: int) -> torch.Tensor:
    """Frames ``start .. start + n_frames - 1`` of a signal padded as :func:`frame_signal` pads it ``(B, T_c, n_fft)``."""
    k = -(-n_fft // hop)
    n_chunks = n_frames + k - 1
    x = padded[:, start * hop : (start + n_chunks) * hop]
    chunks = x.reshape(x.shape[0], n_chunks, hop)  # (B, N, hop)
    frames = torch.cat([chunks[:, j : j + n_frames] for j in range(k)], dim=-1)  # (B, T_c, k*hop)
    return frames[..., :n_fft]


def power_spectrogram(waveforms: torch.Tensor, basis: torch.Tensor, hop: int) -> torch.Tensor:
    """``|STFT|^2`` of centred, zero-padded frames: ``(B, S)`` -> ``(B, K, T)`` with T = 1 + S // hop.

    A matrix product rather than a convolution: each frame's result is then bit-identical whatever
    the batch size or padded length (convolution kernels change algorithm with the input shape).
    """
    return _power(frame_signal(waveforms, basis.shape[0], hop), basis).transpose(1, 2)  # (B, K, T)


def _power(frames: torch.Tensor, basis: torch.Tensor) -> torch.Tensor:
    """``|DFT|^2`` of frames ``(B, T, n_fft)`` -> ``(B, T, K)``."""
    re, im = torch.matmul(frames, basis).chunk(2, dim=-1)  # (B, T, K) each
    return re * re + im * im


def mel_spectrogram(
    waveforms: torch.Tensor, basis: torch.Tensor, fbank: torch.Tensor, hop: int, chunk_frames: int | None = None
) -> torch.Tensor:
    """Mel energies ``(B, S)`` -> ``(B, F, T)``: :func:`power_spectrogram` times the filterbank ``(K, F)``.

    With ``chunk_frames``, frames are transformed that many at a time: the frames and their spectrum
    (~5 KB per frame, 30x the mel row) then never exist for the whole input at once. Each frame's
    result is the same either way, to the last bit with chunks of tens of frames (a matrix product row by
    row; BLAS may switch kernels for a handful of rows); an exported graph takes no chunks.
    """
    if chunk_frames is None or waveforms.shape[-1] // hop + 1 <= chunk_frames:
        return torch.matmul(power_spectrogram(waveforms, basis, hop).transpose(1, 2), fbank).transpose(1, 2)
    n_fft, n_frames = basis.shape[0], waveforms.shape[-1] // hop + 1
    x = _pad(waveforms, n_fft, hop)
    parts = [
        torch.matmul(_power(_frames(x, start, min(chunk_frames, n_frames - start), n_fft, hop), basis), fbank)
        for start in range(0, n_frames, chunk_frames)
    ]  # (B, T_c, F) each
    return torch.cat(parts, dim=1).transpose(1, 2)  # (B, F, T)


def masked_normalize(x: torch.Tensor, lengths: torch.Tensor, eps: float) -> torch.Tensor:
    """Mean/variance-normalise each row over its valid frames; frames past ``lengths`` become 0.

    ``(B, F, T)`` and ``(B,)`` -> ``(B, F, T)``. A constant row (silence) becomes zeros.
    """
    valid = (torch.arange(x.shape[-1], device=x.device)[None, :] < lengths[:, None]).to(x.dtype)  # (B, T)
    valid = valid[:, None, :]  # (B, 1, T)
    count = valid.sum(-1, keepdim=True).clamp_min(1.0)  # (B, 1, 1)
    x = x - x[..., :1]  # shift by frame 0 (always valid): a constant row is then exactly 0, and sums stay small
    mean = (x * valid).sum(-1, keepdim=True) / count  # (B, F, 1)
    centred = (x - mean) * valid
    var = (centred * centred).sum(-1, keepdim=True) / count  # (B, F, 1)
    return centred / torch.sqrt(var + eps)


def log_mel(
    waveforms: torch.Tensor,
    lengths: torch.Tensor,
    basis: torch.Tensor,
    fbank: torch.Tensor,
    hop: int,
    *,
    log_eps: float,
    normalize: bool,
    norm_eps: float,
    chunk_frames: int | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Log-mel features of a padded batch.

    Args:
        waveforms: ``(B, S)`` float; samples past an item's length are ignored (treated as zeros).
        lengths: ``(B,)`` valid samples per item.
        basis: ``(n_fft, 2K)`` from :func:`dft_basis`.
        fbank: ``(K, F)`` mel filterbank.
        hop: samples between frames.
        chunk_frames: transform the frames this many at a time (see :func:`mel_spectrogram`).

    Returns:
        ``(B, 1, F, T)`` features (zero past each item's frames) and ``(B,)`` int64 frame counts.
    """
    lengths = lengths.to(torch.int64)
    # samples past each length are zeroed (the mask is a temporary: it dies before the frames are made)
    waveforms = waveforms * (torch.arange(waveforms.shape[-1], device=waveforms.device)[None, :] < lengths[:, None]).to(
        waveforms.dtype)  # (B, S)
    mel = mel_spectrogram(waveforms, basis, fbank, hop, chunk_frames)  # (B, F, T)
    feats = torch.log(mel + log_eps)
    n_frames = frame_lengths(lengths, hop)
    if normalize:  # a config switch, fixed when the module is built: not a branch on tensor values
        feats = masked_normalize(feats, n_frames, norm_eps)
    else:
        keep = torch.arange(feats.shape[-1], device=feats.device)[None, :] < n_frames[:, None]  # (B, T)
        feats = feats * keep[:, None, :].to(feats.dtype)
    return feats[:, None], n_frames  # (B, 1, F, T)


class LogMel(nn.Module):
    """Waveforms ``(B, S)`` + lengths ``(B,)`` -> log-mel ``(B, 1, F, T)`` + frame lengths ``(B,)``.

    Per-item normalisation uses only that item's valid frames, so an item gives the same features
    alone as inside any padded batch. Holds no weights: its buffers are derived from the settings.
    """

    def __init__(
        self,
        sample_rate: int = 16_000,
        n_fft: int = 400,
        hop: int = 160,
        n_mels: int = 80,
        f_min: float = 20.0,
        f_max: float | None = None,
        *,
        log_eps: float = 1e-6,
        normalize: bool = True,
        norm_eps: float = 1e-5,
        chunk_frames: int | None = None,
    ) -> None:
        super().__init__()
        self.hop = hop
        self.chunk_frames = chunk_frames
        self.log_eps = log_eps
        self.normalize = normalize
        self.norm_eps = norm_eps
        fbank = AF.melscale_fbanks(
            n_fft // 2 + 1, f_min, sample_rate / 2 if f_max is None else f_max, n_mels, sample_rate, mel_scale="htk"
        )  # (K, F)
        self.register_buffer("basis", dft_basis(n_fft), persistent=False)
        self.register_buffer("fbank", fbank, persistent=False)

    @classmethod
    def from_config(cls, cfg: LogMelConfig, chunk_frames: int | None = None) -> LogMel:
        return cls(
            cfg.sample_rate, cfg.n_fft, cfg.hop, cfg.n_mels, cfg.f_min, cfg.f_max,
            log_eps=cfg.log_eps, normalize=cfg.normalize, norm_eps=cfg.norm_eps, chunk_frames=chunk_frames,
        )

    def forward(self, waveforms: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return log_mel(
            waveforms, lengths, self.basis, self.fbank, self.hop,
            log_eps=self.log_eps, normalize=self.normalize, norm_eps=self.norm_eps, chunk_frames=self.chunk_frames,
        )
