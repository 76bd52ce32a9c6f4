"""Voices: what an engine is asked to speak with, and a seeded sampler of many voices for data generation.

An espeak-ng voice is a language (``"en-us"``), an optional variant from ``espeak-ng-data/voices/!v``
(``"m3"``, ``"f2"``, ``"klatt"`` ...) that changes the timbre, and prosody (rate, pitch, pitch range).
A voice of another engine (:mod:`recog_tts.engines`) is that engine's voice name, written ``"flite:slt"``,
``"festival:kal_diphone"`` or ``"pico:en-GB"``, with a rate (and a pitch for Pico).

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
from .engines import ENGINES, engine_problems, engine_voices

__all__ = ["VoiceSpec", "DEFAULT_LANGUAGES", "sample_voices", "split_variants", "default_variants", "known_languages",
           "engine_voice_names"]

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
    engine: str = "espeak"  # "espeak", or an optional engine ("flite", "festival", "pico"); then variant is its voice

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise ConfigError(f"unknown speech engine {self.engine!r} (engines: {', '.join(ENGINES)})")
        if self.engine != "espeak":
            if not isinstance(self.variant, str) or not self.variant:
                raise ConfigError(f"a {self.engine} voice needs its voice name, e.g. {self.engine}:{_EXAMPLE[self.engine]}")
            if self.pitch_range != 50 or (self.pitch != 50 and self.engine != "pico"):
                raise ConfigError(f"{self.engine} voices take a rate{' and a pitch' if self.engine == 'pico' else ''} "
                                  "only; leave pitch/pitch range at 50")
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
        """The voice name: espeak-ng's ``"en-us"`` or ``"en-us+f3"``, another engine's ``"flite:slt"``."""
        if self.engine != "espeak":
            return f"{self.engine}:{self.variant}"
        return self.language if self.variant is None else f"{self.language}+{self.variant}"

    @property
    def id(self) -> str:
        """A compact identity with prosody, used as the speaker of generated data: ``"en-us+f3:r175:p50:g50"``."""
        return f"{self.name}:r{self.rate}:p{self.pitch}:g{self.pitch_range}"

    @classmethod
    def parse(cls, name: str, **prosody: int) -> VoiceSpec:
        """``"en-us+f3"`` (espeak-ng's ``LANGUAGE[+VARIANT]``) or ``"flite:slt"`` (ENGINE:VOICE), plus prosody."""
        engine, colon, voice = name.partition(":")
        if colon:
            language = "en-gb" if voice.lower() == "en-gb" else "en-us"
            return cls(language, voice or None, engine=engine, **prosody)
        language, _, variant = name.partition("+")
        return cls(language, variant or None, **prosody)

    def check(self) -> None:
        """Raise :class:`ConfigError` unless the engine runs here and has this voice (espeak-ng: language and variant)."""
        if self.engine != "espeak":
            problem = engine_problems()[self.engine]
            if problem:
                raise ConfigError(f"speech engine {self.engine!r}: {problem}")
            if self.variant not in engine_voices(self.engine):
                have = ", ".join(f"{self.engine}:{v}" for v in engine_voices(self.engine))
                raise ConfigError(f"speech engine {self.engine!r} has no voice {self.variant!r} (have: {have})")
            return
        if self.language.lower() not in known_languages():
            raise ConfigError(f"espeak-ng has no voice {self.language!r} (languages: en-us, en-gb-x-rp, de, ru, ...; "
                              "see recog_tts.SpeechSynthesizer.languages())")
        if self.variant is not None and self.variant not in espeak.list_variants():
            shown = ", ".join(espeak.list_variants()[:20])
            raise ConfigError(f"espeak-ng has no voice variant {self.variant!r} (have: {shown}, ...)")


_EXAMPLE = {"flite": "slt", "festival": "kal_diphone", "pico": "en-GB", "espeak": "en-us"}


def engine_voice_names(engines: Iterable[str]) -> tuple[str, ...]:
    """Qualified voice names (``"flite:slt"``) of the optional engines among ``engines`` that run here."""
    return tuple(f"{e}:{v}" for e in engines if e != "espeak" for v in engine_voices(e))


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
                  pitch_range: tuple[int, int] = (30, 80), engines: Sequence[str] = ("espeak",)) -> list[VoiceSpec]:
    """``n`` random voices, the same for the same arguments (and installed engines) on every run.

    Each espeak-ng voice is a distinct (language, variant) pair while there are enough (then pairs repeat with
    other prosody), with rate, pitch and pitch range drawn uniformly from the given inclusive ranges.
    With more ``engines``, the ``n`` voices are shared evenly among the engines that run here (missing ones
    are skipped); their voices are qualified names (``"flite:slt"``) in the same pool and exclusions.

    Args:
        variants: the pool (None in it stands for the language's own voice); default: ``None`` plus
            :func:`default_variants` plus the engines' voices.
        exclude_variants: variants never drawn, e.g. the held-out half of :func:`split_variants`.
        engines: engines to draw from (``"espeak"``, ``"flite"``, ``"festival"``, ``"pico"``).
    """
    unknown = [e for e in engines if e not in ENGINES]
    if unknown:
        raise ConfigError(f"unknown speech engine(s) {', '.join(unknown)} (engines: {', '.join(ENGINES)})")
    if tuple(engines) != ("espeak",):
        return _sample_engines(n, seed, languages, variants, exclude_variants, rate, pitch, pitch_range, engines)
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


def _sample_engines(n, seed, languages, variants, exclude_variants, rate, pitch, pitch_range, engines) -> list[VoiceSpec]:
    """:func:`sample_voices` over several engines: ``n`` split evenly among those that run here."""
    excluded = set(exclude_variants)
    pool = ([None, *default_variants(), *engine_voice_names(engines)] if variants is None else list(variants))
    running = [e for e in dict.fromkeys(engines)
               if e == "espeak" or any(isinstance(v, str) and v.startswith(f"{e}:") and v not in excluded for v in pool)]
    if not running:
        raise ConfigError("no voices left to sample: none of the engines runs here or every voice is excluded")
    rng = random.Random(seed)
    out: list[VoiceSpec] = []
    for k, engine in enumerate(running):
        share = n // len(running) + (1 if k < n % len(running) else 0)
        if engine == "espeak":
            espeak_pool = [v for v in pool if not (isinstance(v, str) and ":" in v)]
            out += sample_voices(share, rng.randrange(2**31), languages, variants=espeak_pool,
                                 exclude_variants=excluded, rate=rate, pitch=pitch, pitch_range=pitch_range)
            continue
        names = sorted(v for v in pool if isinstance(v, str) and v.startswith(f"{engine}:") and v not in excluded)
        chosen = rng.sample(names, min(share, len(names))) + [rng.choice(names) for _ in range(share - len(names))]
        for name in chosen:
            p = rng.randint(*pitch) if engine == "pico" else 50
            out.append(VoiceSpec.parse(name, rate=rng.randint(*rate), pitch=p))
    return out
