"""What the audio frontend reads, without its PyTorch features: a torch-free install registers this class, so an
input still finds its model (``speech``) and the ONNX runtime reads it with :class:`recog_audio.reader.AudioReader`."""

from __future__ import annotations

from typing import Any, ClassVar

from recog.frontend import Frontend

from .io import AUDIO_SUFFIXES, is_audio_object, sniff_audio

__all__ = ["AudioInput"]


class AudioInput(Frontend):
    """Speech input: WAV/FLAC/OGG/MP3 files or bytes, arrays and tensors (:class:`LogMelFrontend` turns it into
    features)."""

    name: ClassVar[str] = "audio"
    suffixes: ClassVar[tuple[str, ...]] = AUDIO_SUFFIXES
    unit: ClassVar[str] = "s"
    default_model: ClassVar[str | None] = "speech"
    in_channels: ClassVar[int] = 1

    @classmethod
    def sniff(cls, head: bytes) -> bool:
        """True for RIFF/WAVE, fLaC, OggS, an ID3 tag or an MPEG audio frame header."""
        return sniff_audio(head) is not None

    @classmethod
    def accepts_object(cls, obj: Any) -> bool:
        """True for arrays/tensors ``(S,)`` or ``(C, S)``, ``(array, sample_rate)`` tuples and audio file bytes."""
        return is_audio_object(obj)
