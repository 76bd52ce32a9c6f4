"""Synthetic speech corpora: sentences × sampled voices → WAV files plus a JSONL manifest.

The manifest is the engine's shared format (:mod:`recog.data`), one utterance per line::

    {"path": "audio/000000.wav", "text": "THREE FIVE TWO", "speaker": "tts:en-us+f3:r170:p55:g40", "duration": 1.23}

``path`` is relative to the manifest's folder; ``text`` is the text as spoken (after the clean-up of
:mod:`recog_tts.text`); ``duration`` is in seconds. Sentence ``i`` is spoken by ``voices[i % len(voices)]``, so
every voice gets a share. Sentences that are not speakable are skipped and reported, not fatal.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from recog.atomic import atomic_write, atomic_write_text
from recog.errors import ConfigError, CorruptInputError, EmptyInputError, InputNotFoundError, TextError

from .synth import SpeechSynthesizer
from .voices import VoiceSpec

__all__ = ["CorpusReport", "read_sentences", "generate_corpus", "write_wav", "MANIFEST_NAME"]

MANIFEST_NAME = "manifest.jsonl"
Progress = Callable[[int, int, dict], None]  # (done, total, info), like recog.progress.ProgressBar


@dataclass(frozen=True)
class CorpusReport:
    """What :func:`generate_corpus` wrote."""

    manifest: Path
    written: int  # utterances in the manifest
    seconds: float  # their total duration
    skipped: tuple[tuple[int, str], ...]  # (sentence index, reason) of sentences that were not spoken


def write_wav(path: str | os.PathLike, audio: np.ndarray, sample_rate: int) -> None:
    """Write (N,) float audio in [-1, 1] as 16-bit PCM mono WAV."""
    atomic_write(path, lambda tmp: sf.write(os.fspath(tmp), audio, sample_rate, subtype="PCM_16", format="WAV"))


def read_sentences(path: str | os.PathLike, limit: int | None = None) -> list[str]:
    """Sentences of a UTF-8 text file, one per line; blank lines and lines starting with ``#`` are skipped."""
    p = Path(path)
    if not p.is_file():
        raise InputNotFoundError(p, "no such file" if not p.exists() else "not a regular file")
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as e:
        raise CorruptInputError(p, f"not UTF-8 text ({e.reason} at byte {e.start})") from None
    out = [s.strip() for s in lines if s.strip() and not s.lstrip().startswith("#")]
    if not out:
        raise EmptyInputError(p, "no sentences (blank lines and # comments are skipped)")
    return out if limit is None else out[:limit]


def generate_corpus(sentences: Sequence[str], out_dir: str | os.PathLike, voices: Sequence[VoiceSpec], *,
                    sample_rate: int | None = 16000, progress: Progress | None = None) -> CorpusReport:
    """Speak sentence ``i`` with ``voices[i % len(voices)]`` into ``out_dir/audio/{i:06d}.wav``; write the manifest.

    Args:
        sample_rate: WAV rate in Hz; None for espeak-ng's native 22050.
        progress: called as ``progress(done, total, info)`` after each sentence.
    """
    if not voices:
        raise ConfigError("generate_corpus needs at least one voice")
    for voice in voices:
        voice.check()  # fail before writing anything
    synth = SpeechSynthesizer(sample_rate=sample_rate)
    out = Path(out_dir)
    (out / "audio").mkdir(parents=True, exist_ok=True)
    lines: list[str] = []
    skipped: list[tuple[int, str]] = []
    seconds = 0.0
    for i, sentence in enumerate(sentences):
        voice = voices[i % len(voices)]
        try:
            result = synth.synthesize(sentence, voice)
        except TextError as e:
            skipped.append((i, str(e)))
        else:
            rel = f"audio/{i:06d}.wav"
            write_wav(out / rel, result.audio, result.sample_rate)
            seconds += result.duration
            lines.append(json.dumps({"path": rel, "text": result.text, "speaker": f"tts:{voice.id}",
                                     "duration": round(result.duration, 3)}, ensure_ascii=False))
        if progress is not None:
            progress(i + 1, len(sentences), {"skipped": len(skipped)})
    manifest = out / MANIFEST_NAME
    atomic_write_text(manifest, "".join(line + "\n" for line in lines))
    return CorpusReport(manifest, len(lines), seconds, tuple(skipped))
