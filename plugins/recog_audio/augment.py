"""Training-time augmentation: speed, rooms, noise, telephone and gain on waveforms; vocal tract length
perturbation and SpecAugment on features.

Shapes: S samples, C channels, F mel bins, T frames. All randomness comes from the
``torch.Generator`` passed in (None means torch's global generator), so a seed fixes the result.
Noise is generated (white, pink, brown) or cut from recordings named by ``noise_manifest``; rooms are
simulated (:mod:`recog_audio.acoustics`); nothing is downloaded.
"""

from __future__ import annotations

import torch

from .acoustics import noise_bank, resample, reverberate, room_impulse_response, telephone_channel
from .config import LogMelConfig

__all__ = [
    "speed_perturb",
    "apply_gain",
    "colored_noise",
    "add_noise",
    "spec_augment",
    "warp_mel_axis",
    "augment_waveform",
    "augment_features",
]

_COLOR_EXPONENT = {"white": 0.0, "pink": 1.0, "brown": 2.0}  # noise power spectrum ~ 1 / f^exponent


def _uniform(lo: float, hi: float, generator: torch.Generator | None) -> float:
    return lo + (hi - lo) * float(torch.rand((), generator=generator))


def _chance(p: float, generator: torch.Generator | None) -> bool:
    return float(torch.rand((), generator=generator)) < p


def _randint(lo: int, hi: int, generator: torch.Generator | None) -> int:
    """Uniform integer in [lo, hi] (inclusive)."""
    return int(torch.randint(lo, hi + 1, (), generator=generator))


def speed_perturb(wave: torch.Tensor, factor: float) -> torch.Tensor:
    """Play ``(S,)`` ``factor`` times faster by resampling (tempo and pitch together): ``(S,)`` -> ``(~S/factor,)``.

    The factor is rounded to 1%, which keeps the polyphase resampling kernel small.
    """
    percent = round(factor * 100)
    return resample(wave, percent, 100)


def apply_gain(wave: torch.Tensor, db: float) -> torch.Tensor:
    """Scale ``(S,)`` by ``db`` decibels."""
    return wave * (10.0 ** (db / 20.0))


def colored_noise(n: int, color: str, generator: torch.Generator | None) -> torch.Tensor:
    """Unit-RMS noise ``(n,)`` whose power spectrum falls as 1/f^0 (white), 1/f (pink) or 1/f^2 (brown)."""
    white = torch.randn(n, generator=generator)
    exponent = _COLOR_EXPONENT[color]
    if exponent:
        spec = torch.fft.rfft(white)  # (n // 2 + 1,)
        f = torch.arange(spec.shape[0], dtype=torch.float32)
        f[0] = 1.0  # the DC bin is zeroed below
        spec = spec / f ** (exponent / 2)
        spec[0] = 0
        white = torch.fft.irfft(spec, n=n)
    return white / white.pow(2).mean().sqrt().clamp_min(1e-12)


def add_noise(wave: torch.Tensor, noise: torch.Tensor, snr_db: float) -> torch.Tensor:
    """Add ``noise`` ``(S,)`` scaled to ``snr_db`` below the signal's power; silence stays silent."""
    signal_power = wave.pow(2).mean()
    noise_power = noise.pow(2).mean().clamp_min(1e-12)
    scale = torch.sqrt(signal_power / (noise_power * 10.0 ** (snr_db / 10.0)))
    return wave + scale * noise


def spec_augment(
    x: torch.Tensor,
    *,
    time_masks: int,
    time_mask_max: int,
    time_mask_max_ratio: float,
    freq_masks: int,
    freq_mask_max: int,
    generator: torch.Generator | None,
) -> torch.Tensor:
    """SpecAugment: zero random bands of bins and spans of frames of ``(C, F, T)``; returns a new tensor.

    Zero is the mean of normalised features. A time mask is at most ``time_mask_max`` frames and
    at most ``time_mask_max_ratio`` of T, so short utterances are not wiped out.
    """
    x = x.clone()
    n_bins, n_frames = x.shape[-2], x.shape[-1]
    for _ in range(freq_masks):
        width = _randint(0, min(freq_mask_max, n_bins), generator)
        start = _randint(0, n_bins - width, generator)
        x[..., start : start + width, :] = 0
    widest = min(time_mask_max, int(time_mask_max_ratio * n_frames))
    for _ in range(time_masks):
        width = _randint(0, widest, generator)
        start = _randint(0, n_frames - width, generator)
        x[..., start : start + width] = 0
    return x


def _hz_to_mel(f: torch.Tensor) -> torch.Tensor:
    return 2595.0 * torch.log10(1.0 + f / 700.0)  # the HTK mel scale of the log-mel features


def _mel_to_hz(m: torch.Tensor) -> torch.Tensor:
    return 700.0 * (10.0 ** (m / 2595.0) - 1.0)


def warp_mel_axis(x: torch.Tensor, factor: float, f_min: float, f_max: float, boundary: float = 0.8) -> torch.Tensor:
    """Vocal tract length perturbation (Jaitly and Hinton, 2013) of log-mel features ``(C, F, T)`` -> ``(C, F, T)``.

    A spectrum warped by ``factor`` has the energy of frequency ``f`` at ``factor * f``: formants move up
    for factor > 1, as from a shorter vocal tract. The warp is linear up to ``boundary * f_max`` (in the
    output) and then a straight line to ``f_max``, so the band stays filled. Each mel bin takes the
    value at its source frequency, interpolated linearly between the neighbouring bins (bins are the HTK
    mel filters' centres between ``f_min`` and ``f_max``).
    """
    n_bins = x.shape[-2]
    if factor == 1.0 or n_bins < 2:
        return x
    lo, hi = _hz_to_mel(torch.tensor(f_min, dtype=torch.float64)), _hz_to_mel(torch.tensor(f_max, dtype=torch.float64))
    mels = torch.linspace(float(lo), float(hi), n_bins + 2, dtype=torch.float64)[1:-1]  # (F,) filter centres
    centres = _mel_to_hz(mels)
    knee = boundary * f_max  # output frequency where the linear warp ends
    src = torch.where(centres <= knee, centres / factor,
                      knee / factor + (centres - knee) * (f_max - knee / factor) / (f_max - knee))
    pos = (_hz_to_mel(src.clamp(min=f_min)) - mels[0]) / (mels[1] - mels[0])  # fractional source bin
    pos = pos.clamp(0, n_bins - 1)
    left = pos.floor().long().clamp(max=n_bins - 2)
    frac = (pos - left).to(x.dtype)[:, None]  # (F, 1)
    return x[..., left, :] * (1 - frac) + x[..., left + 1, :] * frac


def augment_waveform(wave: torch.Tensor, cfg: LogMelConfig, generator: torch.Generator | None) -> torch.Tensor:
    """Speed, room, noise, telephone channel and gain, each with its probability: ``(S,)`` -> ``(S',)``.

    In the order a recording meets them: the talker's pace, the room, the background, the line, the level.
    """
    if wave.shape[0] == 0:
        return wave
    if _chance(cfg.speed_prob, generator):
        wave = speed_perturb(wave, _uniform(cfg.speed_min, cfg.speed_max, generator))
    if cfg.reverb_prob and _chance(cfg.reverb_prob, generator):
        room = _randint(0, cfg.reverb_rooms - 1, generator)
        wave = reverberate(wave, room_impulse_response(room, cfg.sample_rate, cfg.rt60_min, cfg.rt60_max))
    if _chance(cfg.noise_prob, generator):
        snr = _uniform(cfg.noise_snr_min, cfg.noise_snr_max, generator)
        if cfg.noise_manifest and _chance(cfg.recorded_noise_share, generator):
            noise = noise_bank(cfg.noise_manifest, cfg.sample_rate).segment(wave.shape[0], generator)
        else:
            color = cfg.noise_colors[_randint(0, len(cfg.noise_colors) - 1, generator)]
            noise = colored_noise(wave.shape[0], color, generator)
        wave = add_noise(wave, noise, snr)
    if cfg.telephone_prob and _chance(cfg.telephone_prob, generator):
        wave = telephone_channel(wave, cfg.sample_rate)
    if _chance(cfg.gain_prob, generator):
        wave = apply_gain(wave, _uniform(-cfg.gain_db, cfg.gain_db, generator))
    return wave


def augment_features(x: torch.Tensor, cfg: LogMelConfig, generator: torch.Generator | None) -> torch.Tensor:
    """Mel-axis warp (VTLP) and SpecAugment, each with its probability: ``(C, F, T)`` -> ``(C, F, T)``."""
    if cfg.warp_prob and _chance(cfg.warp_prob, generator):
        top = cfg.sample_rate / 2 if cfg.f_max is None else cfg.f_max
        x = warp_mel_axis(x, _uniform(cfg.warp_min, cfg.warp_max, generator), cfg.f_min, top)
    if not _chance(cfg.specaug_prob, generator):
        return x
    return spec_augment(
        x,
        time_masks=cfg.time_masks,
        time_mask_max=cfg.time_mask_max,
        time_mask_max_ratio=cfg.time_mask_max_ratio,
        freq_masks=cfg.freq_masks,
        freq_mask_max=cfg.freq_mask_max,
        generator=generator,
    )
