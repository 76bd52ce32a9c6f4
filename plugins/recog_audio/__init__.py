"""Built-in recog plugin: audio.

Reads WAV, FLAC, OGG/Vorbis and MP3 files (any rate, depth, channels), file bytes, arrays and
tensors, and turns them into per-utterance normalised log-mel features ``(1, F, T)``.

Modules: :mod:`.config` (settings), :mod:`.io` (reading), :mod:`.features` (log-mel),
:mod:`.augment` (training augmentation), :mod:`.windows` (long inputs), :mod:`.frontend`, and
:mod:`.plugin` (the entry point). Names are imported on first use, so loading the entry point
(e.g. for ``recog --help``) does not import torch, torchaudio or soundfile.
"""


from recog.lazy import lazy_exports

_LAZY = {"LogMelConfig": "config", "LogMel": "features", "LogMelFrontend": "frontend"}

__all__ = list(_LAZY)


__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
