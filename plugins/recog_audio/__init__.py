"""Built-in recog plugin: audio.

Reads WAV, FLAC, OGG/Vorbis and MP3 files (any rate, depth, channels), file bytes, arrays and
tensors, and turns them into per-utterance normalised log-mel features ``(1, F, T)``.

Modules: :mod:`.config` (settings), :mod:`.io` (reading), :mod:`.features` (log-mel),
:mod:`.augment` (training augmentation), :mod:`.windows` (long inputs), :mod:`.frontend`, and
:mod:`.plugin` (the entry point). Names are imported on first use, so loading the entry point
(e.g. for ``recog --help``) does not import torch, torchaudio or soundfile.
"""

from importlib import import_module

_LAZY = {"LogMelConfig": "config", "LogMel": "features", "LogMelFrontend": "frontend"}

__all__ = list(_LAZY)


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'recog_audio' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
