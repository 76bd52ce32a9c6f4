"""Speech engines behind :class:`recog_tts.SpeechSynthesizer`: espeak-ng (in-process, always there) and the optional
flite, festival and SVOX Pico, each a different way of making speech (formant, diphone/unit, HTS, Pico's HMMs).

An engine speaks checked text with a :class:`recog_tts.VoiceSpec` and returns ``(audio (N,) float32, rate)``.
Optional engines are found at run time; one that is missing is reported (:func:`engine_problems`, shown by
``recog plugins``) and left out of voice sampling, never a crash.

Voices of the optional engines (``VoiceSpec.name``):
- ``flite:awb``, ``flite:rms``, ``flite:slt``, ``flite:kal``, ``flite:kal16`` (Debian ``flite``)
- ``festival:kal_diphone``, ``festival:ked_diphone``, ``festival:cmu_us_slt_arctic_hts`` (Debian ``festival``,
  ``festvox-kallpc16k``, ``festvox-kdlpc16k``, ``festvox-us-slt-hts``)
- ``pico:en-US``, ``pico:en-GB`` (PyPI ``ttspico``)
Prosody: every engine takes the rate (words per minute, 175 = the engine's normal pace); espeak-ng and Pico also
take pitch; pitch range is espeak-ng's only. A voice asking an engine for what it cannot do is a ConfigError.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np
import soundfile as sf

from recog.errors import ConfigError, TextError

from . import espeak

__all__ = ["ENGINES", "NORMAL_RATE", "engine_problems", "engine_voices", "speak"]

ENGINES = ("espeak", "flite", "festival", "pico")
NORMAL_RATE = 175  # words per minute that every engine's own default pace is taken to be
_FLITE_VOICES = ("awb", "rms", "slt", "kal", "kal16")
_FESTIVAL_VOICES = ("kal_diphone", "ked_diphone", "cmu_us_slt_arctic_hts")
_PICO_VOICES = ("en-US", "en-GB")
_FESTIVAL_DIRS = ("/usr/share/festival/voices", "/usr/lib/festival/voices")
_TIMEOUT_S = 120.0  # one subprocess synthesis; text is capped at recog_tts.MAX_TEXT_CHARS
_PICO_LOCK = threading.Lock()


@lru_cache(maxsize=None)
def _festival_voices() -> tuple[str, ...]:
    found = set()
    for root in _FESTIVAL_DIRS:
        for d in Path(root).glob("*/*"):
            if d.is_dir():
                found.add(d.name)
    return tuple(v for v in _FESTIVAL_VOICES if v in found)


@lru_cache(maxsize=None)
def _flite_voices() -> tuple[str, ...]:
    exe = shutil.which("flite")
    if exe is None:
        return ()
    try:
        out = subprocess.run([exe, "-lv"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return ()
    listed = set(out.replace("Voices available:", "").split())
    return tuple(v for v in _FLITE_VOICES if v in listed)


def _pico_module():
    try:
        import ttspico
    except ImportError:
        return None
    return ttspico


def engine_problems() -> dict[str, str | None]:
    """Each engine's reason it cannot run here (None: it runs), e.g. ``{"flite": "not installed (apt-get ...)"}``."""
    out: dict[str, str | None] = {"espeak": None}
    out["flite"] = None if _flite_voices() else "not installed (Debian package flite)"
    if shutil.which("text2wave") is None:
        out["festival"] = "not installed (Debian packages festival, festvox-kallpc16k, festvox-us-slt-hts)"
    else:
        out["festival"] = None if _festival_voices() else "no English voices (Debian festvox-kallpc16k ...)"
    out["pico"] = None if _pico_module() is not None else "not installed (pip install ttspico)"
    return out


def engine_voices(engine: str) -> tuple[str, ...]:
    """Voice names an engine has here (empty when it is missing); espeak-ng's are its variants."""
    if engine == "espeak":
        return espeak.list_variants()
    if engine == "flite":
        return _flite_voices()
    if engine == "festival":
        return _festival_voices() if shutil.which("text2wave") else ()
    if engine == "pico":
        return _PICO_VOICES if _pico_module() is not None else ()
    raise ConfigError(f"unknown speech engine {engine!r} (engines: {', '.join(ENGINES)})")


def _run(cmd: list[str], what: str) -> None:
    try:
        r = subprocess.run(cmd, capture_output=True, timeout=_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise TextError(what, f"{cmd[0]} took longer than {_TIMEOUT_S:.0f} s") from None
    if r.returncode != 0:
        tail = r.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no message"]
        raise TextError(what, f"{Path(cmd[0]).name} failed (exit {r.returncode}): {tail[0]}")


def _read_wav(path: Path, what: str, engine: str) -> tuple[np.ndarray, int]:
    try:
        audio, rate = sf.read(path, dtype="float32", always_2d=True)
    except (OSError, RuntimeError, sf.LibsndfileError):
        raise TextError(what, f"{engine} wrote no readable audio") from None
    return audio.mean(axis=1), int(rate)


def speak(text: str, engine: str, voice: str, *, rate: int, pitch: int, what: str) -> tuple[np.ndarray, int]:
    """Speak checked ``text`` with an optional engine's ``voice``: ``(audio (N,) float32, sample rate)``.

    ``what`` names the text in errors. espeak-ng is not handled here (see :mod:`recog_tts.espeak`).
    """
    problem = engine_problems().get(engine, f"unknown engine (engines: {', '.join(ENGINES)})")
    if problem:
        raise ConfigError(f"speech engine {engine!r}: {problem}")
    if voice not in engine_voices(engine):
        raise ConfigError(f"speech engine {engine!r} has no voice {voice!r} (have: {', '.join(engine_voices(engine))})")
    stretch = NORMAL_RATE / rate  # > 1 is slower
    if engine == "pico":
        return _pico(text, voice, rate, pitch)
    with tempfile.TemporaryDirectory(prefix="recog-tts-") as tmp:
        src, wav = Path(tmp) / "text.txt", Path(tmp) / "out.wav"
        src.write_text(text + "\n", encoding="utf-8")
        if engine == "flite":
            _run([shutil.which("flite") or "flite", "-voice", voice, "--setf", f"duration_stretch={stretch:.4f}",
                  "-f", str(src), "-o", str(wav)], what)
        else:  # festival
            _run([shutil.which("text2wave") or "text2wave", "-eval", f"(voice_{voice})",
                  "-eval", f"(Parameter.set 'Duration_Stretch {stretch:.4f})", "-o", str(wav), str(src)], what)
        return _read_wav(wav, what, engine)


def _pico(text: str, voice: str, rate: int, pitch: int) -> tuple[np.ndarray, int]:
    ttspico = _pico_module()
    with _PICO_LOCK:  # one engine at a time: Pico keeps global state
        eng = ttspico.TtsEngine(voice)
        try:
            eng.rate = int(round(100 * rate / NORMAL_RATE))  # percent of the normal pace, 20..500
            eng.pitch = int(round(100 * 2 ** ((pitch - 50) / 100)))  # percent, 71..141 for pitch 0..100
            pcm = eng.speak(text) or b""
        finally:
            del eng
    audio = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0  # (N,) 16 kHz mono
    return audio, 16000

