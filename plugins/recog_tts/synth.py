"""Text to speech: :class:`SpeechSynthesizer` turns checked text and a :class:`VoiceSpec` into a waveform.

Synthesis is deterministic: the same text, voice and sample rate give the same samples, whatever was
synthesised before and from however many threads (see :mod:`recog_tts.espeak`).
Bad text raises :class:`recog.errors.TextError`; the rules are in :mod:`recog_tts.text`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from recog.errors import ConfigError, TextError
from recog_audio.io import resample

from . import engines, espeak
from .text import MAX_TEXT_CHARS, prepare_text, preview
from .voices import VoiceSpec, known_languages, sample_voices, split_variants

__all__ = ["SpeechSynthesizer", "SynthResult", "VoiceSpec", "sample_voices", "split_variants", "MAX_TEXT_CHARS",
           "MAX_SECONDS"]

MAX_SECONDS = 3600.0  # longest speech one synthesis may produce (a guard; 10,000 characters need ~20 minutes)


@dataclass(frozen=True)
class SynthResult:
    """Synthesised speech.

    Attributes:
        audio: (N,) float32 waveform in [-1, 1], mono.
        sample_rate: samples per second of ``audio``.
        text: the text as spoken, after the clean-up of :func:`recog_tts.text.prepare_text`.
        voice: the voice that spoke it.
    """

    audio: np.ndarray
    sample_rate: int
    text: str
    voice: VoiceSpec

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return len(self.audio) / self.sample_rate


class SpeechSynthesizer:
    """Speaks text with espeak-ng voices (or flite, festival and Pico voices, :mod:`recog_tts.engines`), resampled.

    Args:
        sample_rate: output rate in Hz; None for the engine's native rate (espeak-ng: :attr:`native_sample_rate`, 22050).
        max_seconds: speech longer than this raises :class:`TextError` (a guard against runaway input).
    """

    def __init__(self, sample_rate: int | None = None, max_seconds: float = MAX_SECONDS) -> None:
        if sample_rate is not None and (isinstance(sample_rate, bool) or not isinstance(sample_rate, int)
                                        or sample_rate <= 0):
            raise ConfigError(f"sample_rate must be a positive integer or None, got {sample_rate!r}")
        if not max_seconds > 0:
            raise ConfigError(f"max_seconds must be positive, got {max_seconds!r}")
        self.sample_rate = sample_rate
        self.max_seconds = float(max_seconds)

    @property
    def native_sample_rate(self) -> int:
        """espeak-ng's own output rate (22050 Hz)."""
        return espeak.sample_rate()

    def synthesize(self, text: str, voice: VoiceSpec = VoiceSpec()) -> SynthResult:
        """Speak ``text`` with ``voice``; returns (N,) float32 audio at :attr:`sample_rate` (or native).

        Raises:
            TextError: bad text (rules in :mod:`recog_tts.text`), or text the voice produces no sound for.
            ConfigError: a voice espeak-ng does not have.
        """
        if not isinstance(voice, VoiceSpec):
            raise ConfigError(f"voice must be a VoiceSpec, got {type(voice).__name__}")
        clean = prepare_text(text)
        voice.check()
        if voice.engine == "espeak":
            native = self.native_sample_rate
            pcm = espeak.synthesize(clean, voice.name, rate=voice.rate, pitch=voice.pitch,
                                    pitch_range=voice.pitch_range, max_samples=int(self.max_seconds * native))  # (N,)
            audio = pcm.astype(np.float32) / 32768.0  # (N,)
        else:
            audio, native = engines.speak(clean, voice.engine, voice.variant, rate=voice.rate, pitch=voice.pitch,
                                          what=preview(text))
            if len(audio) > self.max_seconds * native:
                raise TextError(preview(text), f"speech longer than {self.max_seconds:.0f} s")
        if not np.any(audio):
            raise TextError(preview(text), f"voice {voice.name!r} produced no sound for this text "
                                           "(letters it cannot read?)")
        rate = self.sample_rate or native
        if rate != native:
            audio = np.clip(resample(audio, native, rate), -1.0, 1.0)  # (N * rate / native,): the audio reader's resampler
        return SynthResult(audio, rate, clean, voice)

    @staticmethod
    def languages() -> list[str]:
        """Language codes espeak-ng has voices for (``"en"``, ``"en-us"``, ``"en-gb-x-rp"``, ``"ru"`` ...), sorted."""
        return sorted(known_languages())

    @staticmethod
    def variants() -> tuple[str, ...]:
        """Voice variants the wheel ships (``"m3"``, ``"f2"``, ``"klatt"`` ...)."""
        return espeak.list_variants()
