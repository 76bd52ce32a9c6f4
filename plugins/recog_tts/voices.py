"""Voices: what espeak-ng is asked to speak with, and a seeded sampler of many voices for data generation.

A voice is a language (``"en-us"``), an optional variant from ``espeak-ng-data/voices/!v`` (``"m3"``,
``"f2"``, ``"klatt"`` ...) that changes the timbre, and prosody (rate, pitch, pitch range).

To keep some voices out of training, :func:`split_variants` assigns each variant to "train" or "held out"
by a salted hash of its *name*: the split is the same on every machine and run, and does not move when the
wheel adds variants. Sample training voices with ``exclude_variants=held_out`` and test voices with
``variants=held_out``.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from recog.errors import ConfigError

from . import espeak

__all__ = ["VoiceSpec", "DEFAULT_LANGUAGES", "sample_voices", "split_variants", "default_variants", "known_languages"]

# English voices of the wheel (en-shaw, the Shavian alphabet, is left out)
DEFAULT_LANGUAGES = ("en-us", "en", "en-gb-x-rp", "en-gb-scotland", "en-gb-x-gbclan", "en-gb-x-gbcwmd",
                     "en-us-nyc", "en-029")
RATE_LIMITS = (80, 450)  # words per minute espeak-ng speaks at


@dataclass(frozen=True)
class VoiceSpec:
    """One espeak-ng voice with its prosody. Invalid values raise :class:`recog.errors.ConfigError`."""

    language: str = "en-us"  # espeak-ng language, e.g. "en-us", "en-gb-x-rp", "ru"
    variant: str | None = None  # variant under voices/!v, e.g. "m3", "f2", "klatt"; None: the language's own
    rate: int = 175  # speaking rate, words per minute (80..450)
    pitch: int = 50  # base pitch on espeak-ng's 0..100 scale (50: the voice's normal pitch)
    pitch_range: int = 50  # intonation range, 0 (monotone)..100

    def __post_init__(self) -> None:
        if not isinstance(self.language, str) or not self.language or "+" in self.language:
            raise ConfigError(f"voice language must be a name like 'en-us', got {self.language!r}")
        if self.variant is not None and (not isinstance(self.variant, str) or not self.variant or "+" in self.variant):
            raise ConfigError(f"voice variant must be a name like 'f2' or None, got {self.variant!r}")
        for name, lo, hi in (("rate", *RATE_LIMITS), ("pitch", 0, 100), ("pitch_range", 0, 100)):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
                raise ConfigError(f"voice {name} must be an integer in {lo}..{hi}, got {v!r}")

    @property
    def name(self) -> str:
        """The espeak-ng voice name: ``"en-us"`` or ``"en-us+f3"``."""
        return self.language if self.variant is None else f"{self.language}+{self.variant}"

    @property
    def id(self) -> str:
        """A compact identity with prosody, used as the speaker of generated data: ``"en-us+f3:r175:p50:g50"``."""
        return f"{self.name}:r{self.rate}:p{self.pitch}:g{self.pitch_range}"

    @classmethod
    def parse(cls, name: str, **prosody: int) -> VoiceSpec:
        """``"en-us+f3"`` (espeak-ng's ``LANGUAGE[+VARIANT]``) plus optional rate/pitch/pitch_range."""
        language, _, variant = name.partition("+")
        return cls(language, variant or None, **prosody)

    def check(self) -> None:
        """Raise :class:`ConfigError` unless espeak-ng has this language and variant (it ignores unknown variants)."""
        if self.language.lower() not in known_languages():
            raise ConfigError(f"espeak-ng has no voice {self.language!r} (languages: en-us, en-gb-x-rp, de, ru, ...; "
                              "see recog_tts.SpeechSynthesizer.languages())")
        if self.variant is not None and self.variant not in espeak.list_variants():
            shown = ", ".join(espeak.list_variants()[:20])
            raise ConfigError(f"espeak-ng has no voice variant {self.variant!r} (have: {shown}, ...)")


def known_languages() -> frozenset[str]:
    """Every language code of espeak-ng's voices, lower case (``"en-us"``, ``"en"``, ``"en-gb-x-rp"`` ...)."""
    return frozenset(lang.lower() for v in espeak.list_voices() for lang in v.languages)


def default_variants() -> tuple[str, ...]:
    """The variants the sampler draws from by default: all shipped ones except names with spaces ("Mr serious")."""
    return tuple(v for v in espeak.list_variants() if " " not in v)


def _hash01(salt: str, name: str) -> float:
    return int(hashlib.sha256(f"{salt}:{name}".encode()).hexdigest()[:12], 16) / 16**12


def split_variants(variants: Iterable[str] | None = None, held_out_fraction: float = 0.2, *,
                   salt: str = "recog-tts") -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Split variants into (train, held_out), each sorted, by a salted hash of each name.

    About ``held_out_fraction`` of them are held out; a variant's side depends only on its name and ``salt``.
    """
    if not 0.0 <= held_out_fraction <= 1.0:
        raise ConfigError(f"held_out_fraction must be in 0..1, got {held_out_fraction!r}")
    names = sorted(set(default_variants() if variants is None else variants))
    held = tuple(v for v in names if _hash01(salt, v) < held_out_fraction)
    return tuple(v for v in names if v not in held), held


def sample_voices(n: int, seed: int, languages: Sequence[str] = DEFAULT_LANGUAGES, *,
                  variants: Iterable[str | None] | None = None, exclude_variants: Iterable[str] = (),
                  rate: tuple[int, int] = (130, 210), pitch: tuple[int, int] = (25, 75),
                  pitch_range: tuple[int, int] = (30, 80)) -> list[VoiceSpec]:
    """``n`` random voices, the same for the same arguments on every run.

    Each voice is a distinct (language, variant) pair while there are enough (then pairs repeat with other
    prosody), with rate, pitch and pitch range drawn uniformly from the given inclusive ranges.

    Args:
        variants: the pool (None in it stands for the language's own voice); default: ``None`` plus
            :func:`default_variants`.
        exclude_variants: variants never drawn, e.g. the held-out half of :func:`split_variants`.
    """
    if n < 0:
        raise ConfigError(f"number of voices must be >= 0, got {n}")
    if not languages:
        raise ConfigError("sample_voices needs at least one language")
    excluded = set(exclude_variants)
    pool = [None, *default_variants()] if variants is None else list(variants)
    pool = sorted({v for v in pool if v not in excluded}, key=lambda v: (v is not None, v or ""))
    pairs = [(lang, v) for lang in sorted(set(languages)) for v in pool]
    if not pairs and n:
        raise ConfigError("no voices left to sample: every variant is excluded")
    rng = random.Random(seed)
    chosen = rng.sample(pairs, min(n, len(pairs))) + [rng.choice(pairs) for _ in range(n - len(pairs))]
    return [VoiceSpec(lang, var, rng.randint(*rate), rng.randint(*pitch), rng.randint(*pitch_range))
            for lang, var in chosen]
