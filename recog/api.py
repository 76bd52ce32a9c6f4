"""The Python API: ``recog.load``, ``recog.transcribe``, ``recog.evaluate``, ``recog.models``."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .bundle import Bundle
from .decoders import decoder_choice
from .errors import ConfigError, UnsupportedFormatError
from .evaluation import EvalReport, score
from .frontend import read_head
from .lazy import TORCH_EXTRA, torch_installed
from .plugins import RegisteredModel, get_host
from .results import Transcript

if TYPE_CHECKING:  # pragma: no cover - the PyTorch recogniser loads when it is used (torch-free installs lack it)
    from .document import DocumentResult
    from .manifest import Utterance
    from .recognizer import Recognizer
    from .runtime import OnnxRecognizer

__all__ = ["load", "transcribe", "transcribe_document", "models", "default_model_for", "best_frontend", "evaluate", "EvalReport", "resolve_model", "model_lm_path"]

_cache: dict[tuple, Recognizer | OnnxRecognizer] = {}
_cache_lock = threading.Lock()


def resolve_model(name_or_path: str | os.PathLike) -> Path:
    """The bundle file for a registered model name or a path."""
    p = Path(name_or_path)
    if p.suffix == ".safetensors" or p.exists() or os.sep in str(name_or_path):
        return p
    return get_host().model(str(name_or_path)).path


def model_lm_path(bundle_path: str | os.PathLike) -> Path:
    """Where a model's own language model lives: ``NAME.lm.json.gz`` beside ``NAME.safetensors``."""
    from .decoders import CHAR_SUFFIX, beside

    return beside(bundle_path, CHAR_SUFFIX)


def load(
    name_or_path: str | os.PathLike,
    *,
    decoder: str = "auto",
    decoder_options: dict | None = None,
    device: str | None = None,
    engine: str = "torch",
) -> Recognizer | OnnxRecognizer:
    """A :class:`Recognizer` from a registered model name (``"speech"``, ``"handwriting"``) or a bundle path.

    An ONNX export (``X.onnx``), and any model in a torch-free install (no ``recog[torch]``), gives the runtime's
    :class:`recog.runtime.OnnxRecognizer` instead: in a torch-free install a model runs its whole-input int8
    export (``NAME.int8.onnx`` beside the bundle, package data for the shipped models). Both return the same
    :class:`Transcript` objects.

    Args:
        name_or_path: registered model name or bundle path.
        decoder: ``"auto"`` (default; :mod:`recog.decoders`: ``"words"`` when the model ships a word
            LM, ``"beam"`` when it ships a character LM or beam options are given, else
            ``"greedy"``), ``"greedy"`` (best path), ``"beam"`` (prefix beam search over characters,
            with the model's character LM), ``"words"`` (lexicon + word LM) or a plugin's decoder.
        decoder_options: for ``"beam"``/``"words"``: ``lm`` (a ``*.lm.json.gz`` or ``*.words.lm.gz``
            path; default the model's own LM beside the bundle; None for none) and any
            :class:`recog.beam.BeamOptions` field (``beam``, ``lm_weight``, ``char_bonus``,
            ``word_score``, ``hotwords``, ``nbest`` ...).
        device: ``"cpu"``, ``"cuda"``...; default CUDA when available.
        engine: what runs the network (:mod:`recog.encoders`): ``"torch"`` (default), ``"onnx"`` (the
            model's int8 export beside its bundle, 3-4x faster on a CPU) or ``"auto"`` (that export on a
            CPU when it ships and kept the PyTorch accuracy, else PyTorch; the CLI's default).

    Raises:
        ModelNotFoundError: unknown name.
        BundleError: missing, foreign or corrupt bundle file (the message names it).
        ConfigError: a device that is not one, or that this machine lacks; a torch-free install asked for a
            model with no runtime export.
    """
    path = resolve_model(name_or_path)
    if path.suffix == ".onnx" or not torch_installed():
        return _runtime(path, decoder, decoder_options, device)
    if device is not None:
        check_device(device)
    host = get_host()
    decoder, options = decoder_choice(decoder, dict(decoder_options or {}), path)
    opt_key = json.dumps(options, sort_keys=True, default=repr)
    engine_key = engine
    if engine != "torch":  # the int8 export beside the bundle may come, go or change
        from .encoders import int8_export_path

        export = int8_export_path(path)
        engine_key += f":{export.stat().st_mtime_ns}" if export.is_file() else ":-"
    key = (str(path.resolve()), f"{decoder}:{device}:{engine_key}:{opt_key}", id(host), host.generation)  # plugins may have changed
    from .recognizer import Recognizer

    return _cached(key, lambda: Recognizer.from_bundle(
        Bundle.load(path), source=path, decoder=decoder, decoder_options=options, device=device, engine=engine))


def _cached(key: tuple, make: Callable[[], Recognizer | OnnxRecognizer]) -> Recognizer | OnnxRecognizer:
    """The recogniser cached under ``key`` (path, settings, plugin host), made once; entries of another host or
    plugin generation are dropped."""
    with _cache_lock:
        for stale in [k for k in _cache if k[2:] != key[2:]]:
            del _cache[stale]
        if key not in _cache:
            _cache[key] = make()
        return _cache[key]


def _runtime(path: Path, decoder: str, decoder_options: dict | None, device: str | None) -> OnnxRecognizer:
    """The torch-free recogniser of an export, or of a bundle's whole-input int8 export (cached like :func:`load`)."""
    from .runtime import OnnxRecognizer
    from .runtime.model_info import runtime_export_path

    export = path if path.suffix == ".onnx" else runtime_export_path(path)
    if not export.is_file():
        raise ConfigError(f"{path}: this install has no PyTorch and the model has no torch-free export beside it "
                          f"({export.name}); install the PyTorch layer ({TORCH_EXTRA}) or give an ONNX export")
    if device not in (None, "cpu") and not str(device).startswith("cuda"):
        raise ConfigError(f"device {device!r}: an ONNX export runs on cpu or cuda")
    providers = ["CPUExecutionProvider"] if device == "cpu" else None
    host = get_host()
    opt_key = json.dumps(decoder_options or {}, sort_keys=True, default=repr)
    key = (str(export.resolve()), f"runtime:{export.stat().st_mtime_ns}:{decoder}:{device}:{opt_key}", id(host), host.generation)
    return _cached(key, lambda: OnnxRecognizer(export, providers, decoder=decoder, decoder_options=decoder_options))


def check_device(device: str) -> None:
    """Raise :class:`ConfigError` unless ``device`` names a device torch has here (``cpu``, ``cuda``, ``cuda:1``)."""
    import torch

    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError):
        raise ConfigError(f"device {device!r} is not a device (cpu, cuda, cuda:N)") from None
    if dev.type == "cuda":
        if not torch.cuda.is_available():
            raise ConfigError(f"device {device!r}: no CUDA device is available on this machine (use cpu)")
        if dev.index is not None and dev.index >= torch.cuda.device_count():
            raise ConfigError(f"device {device!r}: this machine has {torch.cuda.device_count()} CUDA device(s)")
    elif dev.type != "cpu":
        raise ConfigError(f"device {device!r}: recog runs on cpu or cuda")


def models() -> dict[str, RegisteredModel]:
    """The model bundles that installed plugins ship, by name."""
    return get_host().models()


def best_frontend(source: Any, frontends: dict[str, type]) -> str | None:
    """The name of the frontend in ``frontends`` that reads ``source`` best: the first that accepts the object, else
    the best match of a file's content (2) or suffix (1); None when none does."""
    for name, cls in frontends.items():
        if cls.accepts_object(source):
            return name
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        head = read_head(path)
        scored = sorted(((cls.accepts_path(path, head), name) for name, cls in frontends.items()), key=lambda x: -x[0])
        if scored and scored[0][0] > 0:
            return scored[0][1]
    return None


def default_model_for(source: Any) -> str:
    """The default model name for an input (or a :class:`recog.document.Document`), from the frontend that reads it
    best."""
    from .document import Document

    host = get_host()
    if isinstance(source, Document):
        model = host.frontend(source.frontend).default_model
        if not model:
            raise ConfigError(f"{source.source}: no default model reads {source.frontend} input; give one")
        return model
    frontends = {name: cls for name, cls in host.frontends().items() if cls.default_model}
    name = best_frontend(source, frontends)
    if name is not None:
        return frontends[name].default_model
    if isinstance(source, (str, os.PathLike)):
        raise UnsupportedFormatError(source, "no installed frontend reads this kind of file (checked suffix and content)")
    raise UnsupportedFormatError(source, "no installed frontend reads this kind of object")


def transcribe(source: Any, model: str | os.PathLike | None = None) -> Transcript:
    """Transcribe one input with ``model`` (default: the model for the input's kind)."""
    return load(model or default_model_for(source)).transcribe(source)


def transcribe_document(source: Any, model: str | os.PathLike | None = None, *, layout: str | os.PathLike | None = None,
                        decoder: str = "auto", batch_size: int = 16) -> DocumentResult:
    """Transcribe a document region by region: a page scan line by line (:mod:`recog.document`).

    Args:
        source: the input (a page image); None to take the one ``layout`` names.
        model: a name or bundle path (default: the model for the input's kind).
        layout: a file listing the regions (PAGE or ALTO XML); None to find them (straight pages).

    Returns one transcript (or error) per region, in reading order; ``result.write(path, format="alto")`` writes
    the layout back with the text.
    """
    from .document import read_document, transcribe_regions

    doc = read_document(source, layout)
    return transcribe_regions(load(model or default_model_for(doc), decoder=decoder), doc, batch_size=batch_size)


def evaluate(manifest: str | os.PathLike | Sequence[Utterance], model: str | os.PathLike | Recognizer | OnnxRecognizer, *,
             batch_size: int = 16, progress: Callable[[int, int, dict], None] | None = None, workers: int | str = 1) -> EvalReport:
    """Transcribe every item of a corpus and score it (texts normalised by the model's normaliser).

    ``model``: a name, a bundle path or a recogniser (also the runtime's ``OnnxRecognizer``).
    ``progress(done, total, info)`` is called as items finish; ``workers`` processes share the items
    (:meth:`Recognizer.transcribe_batch`; the wall time includes starting them). See :func:`recog.evaluation.score`.
    """
    rec = model if hasattr(model, "transcribe_batch") else load(model)
    return score(manifest, rec, batch_size=batch_size, progress=progress, workers=workers)
