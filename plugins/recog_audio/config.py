"""The audio frontend's settings: signal, log-mel features, training augmentation and long-input windows."""

from __future__ import annotations

from dataclasses import dataclass

from recog.errors import ConfigError
from recog.frontend import FrontendConfig

__all__ = ["LogMelConfig", "NOISE_COLORS", "MIN_SAMPLE_RATE", "MAX_SAMPLE_RATE"]

NOISE_COLORS = ("white", "pink", "brown")  # power falls as 1/f^0, 1/f^1, 1/f^2
MIN_SAMPLE_RATE = 1_000  # Hz; a file or array outside [MIN, MAX] is rejected as not real audio
MAX_SAMPLE_RATE = 384_000  # Hz


@dataclass(frozen=True)
class LogMelConfig(FrontendConfig):
    """Settings of :class:`recog_audio.LogMelFrontend`. Flat, so that it round-trips through JSON bundles."""

    # --- signal and features ---
    sample_rate: int = 16_000  # Hz; every input is resampled to this rate
    n_fft: int = 400  # FFT size = analysis window length in samples (25 ms at 16 kHz)
    hop: int = 160  # samples between frames (10 ms at 16 kHz)
    n_mels: int = 80  # mel bins F
    f_min: float = 20.0  # Hz, lower edge of the lowest mel filter (drops DC and rumble)
    f_max: float | None = None  # Hz, upper edge of the highest filter; None means sample_rate / 2
    log_eps: float = 1e-6  # added to the mel power before the log, so silence gives log(eps) and not -inf
    normalize: bool = True  # per-utterance mean/variance normalisation of each mel bin over time
    norm_eps: float = 1e-5  # added to the variance, so a constant (silent) bin normalises to 0 and not NaN

    # --- training augmentation (only with featurize(augment=True); randomness from its torch.Generator) ---
    speed_prob: float = 0.5  # probability of speed perturbation (resampling: tempo and pitch change together)
    speed_min: float = 0.9  # slowest speed factor (audio gets 1/0.9 longer)
    speed_max: float = 1.1  # fastest speed factor; factors are drawn uniformly in 1% steps
    gain_prob: float = 0.5  # probability of a random gain
    gain_db: float = 6.0  # gain drawn uniformly in [-gain_db, +gain_db] dB
    noise_prob: float = 0.3  # probability of additive generated noise
    noise_colors: tuple[str, ...] = NOISE_COLORS  # noise colours drawn from, uniformly
    noise_snr_min: float = 10.0  # dB, lowest signal-to-noise ratio
    noise_snr_max: float = 30.0  # dB, highest signal-to-noise ratio
    noise_manifest: str | None = None  # JSONL of background recordings; noise is drawn from them when set
    recorded_noise_share: float = 0.7  # with a noise manifest: share of noisy items that get recorded noise
    reverb_prob: float = 0.0  # probability of a simulated room (pyroomacoustics; needs recog[train])
    reverb_rooms: int = 400  # distinct simulated rooms drawn from (cached under ~/.cache/recog/rirs)
    rt60_min: float = 0.15  # s, shortest reverberation time of a simulated room
    rt60_max: float = 0.8  # s, longest
    telephone_prob: float = 0.0  # probability of the telephone channel (8 kHz, 300-3400 Hz, mu-law)
    warp_prob: float = 0.0  # probability of vocal tract length perturbation (VTLP: the mel axis warped, tempo kept)
    warp_min: float = 0.9  # smallest warp factor (formants move down by 10%)
    warp_max: float = 1.1  # largest warp factor (formants move up by 10%)
    specaug_prob: float = 1.0  # probability of SpecAugment masking of the features
    time_masks: int = 2  # SpecAugment time masks per utterance
    time_mask_max: int = 40  # frames, widest time mask (0.4 s at a 10 ms hop)
    time_mask_max_ratio: float = 0.2  # a time mask never covers more than this fraction of the frames
    freq_masks: int = 2  # SpecAugment frequency masks per utterance
    freq_mask_max: int = 15  # mel bins, widest frequency mask

    # --- long inputs ---
    window_s: float = 20.0  # seconds; longer inputs are transcribed in windows of this length
    overlap_s: float = 2.0  # seconds shared by neighbouring windows; each owns half of every overlap

    def __post_init__(self) -> None:
        if isinstance(self.noise_colors, (list, str)):  # JSON gives lists back; one colour may come as a string
            colors = (self.noise_colors,) if isinstance(self.noise_colors, str) else tuple(self.noise_colors)
            object.__setattr__(self, "noise_colors", colors)
        self._check()

    def _check(self) -> None:
        def need(ok: bool, what: str) -> None:
            if not ok:
                raise ConfigError(f"LogMelConfig: {what}")

        rate = self.sample_rate
        bounds = f"{MIN_SAMPLE_RATE}..{MAX_SAMPLE_RATE} Hz"
        need(MIN_SAMPLE_RATE <= rate <= MAX_SAMPLE_RATE, f"sample_rate must be in {bounds}, got {rate}")
        need(0 < self.n_fft <= rate, f"n_fft must be in 1..sample_rate, got {self.n_fft}")
        need(0 < self.hop, f"hop must be positive, got {self.hop}")
        need(0 < self.n_mels, f"n_mels must be positive, got {self.n_mels}")
        top = rate / 2 if self.f_max is None else self.f_max
        need(0 <= self.f_min < top <= rate / 2, f"need 0 <= f_min < f_max <= sample_rate/2, got {self.f_min}, {top}")
        need(self.log_eps > 0 and self.norm_eps > 0, "log_eps and norm_eps must be positive")
        for name in ("speed_prob", "gain_prob", "noise_prob", "specaug_prob", "time_mask_max_ratio",
                     "recorded_noise_share", "reverb_prob", "telephone_prob", "warp_prob"):
            need(0.0 <= getattr(self, name) <= 1.0, f"{name} must be in [0, 1], got {getattr(self, name)}")
        speeds = f"{self.speed_min}, {self.speed_max}"
        need(0 < self.speed_min <= self.speed_max, f"need 0 < speed_min <= speed_max, got {speeds}")
        warps = f"{self.warp_min}, {self.warp_max}"
        need(0.5 <= self.warp_min <= self.warp_max <= 2.0, f"need 0.5 <= warp_min <= warp_max <= 2, got {warps}")
        need(self.gain_db >= 0, f"gain_db must be >= 0, got {self.gain_db}")
        need(self.noise_snr_min <= self.noise_snr_max, "noise_snr_min must not exceed noise_snr_max")
        unknown = [c for c in self.noise_colors if c not in NOISE_COLORS]
        colors = self.noise_colors
        need(bool(colors) and not unknown, f"noise_colors must be among {NOISE_COLORS}, got {colors}")
        need(self.reverb_rooms >= 1, f"reverb_rooms must be >= 1, got {self.reverb_rooms}")
        need(0 < self.rt60_min <= self.rt60_max <= 3.0, f"need 0 < rt60_min <= rt60_max <= 3 s, got {self.rt60_min}, {self.rt60_max}")
        for name in ("time_masks", "time_mask_max", "freq_masks", "freq_mask_max"):
            need(getattr(self, name) >= 0, f"{name} must be >= 0, got {getattr(self, name)}")
        spans = f"{self.overlap_s}, {self.window_s}"
        need(0 <= self.overlap_s < self.window_s, f"need 0 <= overlap_s < window_s, got {spans}")
        need(self.window_s * rate >= self.n_fft, "window_s must hold at least one FFT window")

    @property
    def frame_step(self) -> float:
        """Seconds between feature frames (hop / sample_rate)."""
        return self.hop / self.sample_rate
