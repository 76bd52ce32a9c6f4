"""The ``tts`` frontend: text is spoken by espeak-ng, then featurized by the audio frontend.

So a speech model can be fed text (for tests, demos and synthetic data) with exactly the features it was
trained on: :meth:`SpeechFromTextFrontend.load` returns the waveform at the audio frontend's sample rate and
:meth:`~SpeechFromTextFrontend.featurize` hands it to that frontend (looked up by name through the plugin
host at call time; the audio plugin is never imported).

A plain ``str`` is taken for a file path by the engine, so this frontend claims only :class:`SpokenText`
objects when the engine picks a frontend for an input; its :meth:`~SpeechFromTextFrontend.load` reads any
``str`` once the frontend has been chosen explicitly.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import torch

from recog.errors import ConfigError, PluginError, TextError
from recog.frontend import Features, Frontend, FrontendConfig, Piece
from recog.plugins import get_host

from .synth import SpeechSynthesizer
from .voices import VoiceSpec

__all__ = ["SpokenText", "SpeechFromTextConfig", "SpeechFromTextFrontend"]


class SpokenText(str):
    """Text to be spoken, marked so that the engine does not take it for a file path: ``SpokenText("YES")``."""


@dataclass(frozen=True)
class SpeechFromTextConfig(FrontendConfig):
    """Voice and downstream audio frontend of :class:`SpeechFromTextFrontend`."""

    language: str = "en-us"  # espeak-ng language
    variant: str | None = None  # espeak-ng variant (voices/!v), e.g. "f2"; None: the language's own voice
    rate: int = 175  # words per minute (80..450)
    pitch: int = 50  # 0..100
    pitch_range: int = 50  # 0..100
    audio_frontend: str = "audio"  # registered frontend that featurizes the waveform
    audio: dict = field(default_factory=dict)  # that frontend's config as a dict ({}: its defaults)

    def voice(self) -> VoiceSpec:
        return VoiceSpec(self.language, self.variant, self.rate, self.pitch, self.pitch_range)


class SpeechFromTextFrontend(Frontend):
    """Text → espeak-ng speech → the audio frontend's features ``(C, F, T)`` (e.g. log-mel (1, 80, T))."""

    name = "tts"
    config_class = SpeechFromTextConfig
    suffixes = ()  # files are never text for this frontend
    unit = "s"
    default_model = "speech"
    feeds = "audio"

    def __init__(self, config: SpeechFromTextConfig | None = None) -> None:
        super().__init__(config)
        if not isinstance(self.config.audio, dict):
            raise ConfigError(f"tts frontend: audio must be a dict of the audio frontend's config, "
                              f"got {type(self.config.audio).__name__}")
        self.voice = self.config.voice()  # checks the voice fields
        self.voice.check()  # and that espeak-ng has the voice
        self._audio: Frontend | None = None

    @classmethod
    def accepts_object(cls, obj: Any) -> bool:
        return isinstance(obj, SpokenText)

    @classmethod
    def feeding(cls, inner: Frontend) -> SpeechFromTextFrontend:
        """Speak text with the default voice into ``inner``'s features (a speech model's own audio frontend)."""
        return cls(SpeechFromTextConfig(audio_frontend=inner.name, audio=inner.config_dict()))

    # --- the audio frontend it feeds -------------------------------------
    @property
    def audio_frontend(self) -> Frontend:
        """The configured audio frontend instance; :class:`PluginError` if it is not registered."""
        if self._audio is None:
            try:
                cls = get_host().frontend(self.config.audio_frontend)
            except PluginError as e:
                raise PluginError(f"the tts frontend featurizes through the {self.config.audio_frontend!r} "
                                  f"frontend, which is not available: {e}") from None
            self._audio = cls.from_config_dict(self.config.audio)
        return self._audio

    @property
    def sample_rate(self) -> int:
        """The audio frontend's sample rate (its ``sample_rate`` attribute or config field)."""
        fe = self.audio_frontend
        rate = getattr(fe, "sample_rate", None) or getattr(fe.config, "sample_rate", None)
        if not isinstance(rate, int) or rate <= 0:
            raise PluginError(f"the {fe.name!r} frontend has no integer sample_rate (attribute or config field)")
        return rate

    @property
    def in_features(self) -> int:
        return self.audio_frontend.in_features

    # --- the work --------------------------------------------------------
    def load(self, source: Any) -> torch.Tensor:
        """Speak ``source`` (a ``str``); returns the (T,) float32 waveform at :attr:`sample_rate`."""
        if not isinstance(source, str):
            raise TextError(source, f"the tts frontend reads text (str), got {type(source).__name__}")
        result = SpeechSynthesizer(sample_rate=self.sample_rate).synthesize(str(source), self.voice)
        return torch.from_numpy(result.audio)  # (T,)

    def featurize(self, raw: Any, *, augment: bool = False, generator: torch.Generator | None = None) -> Features:
        """The audio frontend's features of the waveform ``raw`` (T,)."""
        return self.audio_frontend.featurize(raw, augment=augment, generator=generator)

    def length_hint(self, raw: Any) -> float:
        return self.audio_frontend.length_hint(raw)

    def feature_module(self) -> torch.nn.Module | None:
        """The audio frontend's in-graph features: this frontend's raw signal is its waveform."""
        return self.audio_frontend.feature_module()

    def windows(self, source: Any) -> Iterator[Piece] | None:
        """The audio frontend's windows of the speech, for text that speaks longer than one window; else None."""
        return self.audio_frontend.windows(self.load(source))

    def pieces(self, source: Any) -> tuple[Any, Iterator[Piece] | None]:
        """The text spoken once: its waveform for one pass, or the audio frontend's windows of it."""
        wave = self.load(source)
        windows = self.audio_frontend.windows(wave)
        return (wave, None) if windows is None else (None, windows)
