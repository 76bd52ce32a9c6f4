"""One rule for choosing a model's CTC decoder, used by the API, the CLI and the torch-free runtime.

Built-in decoders: ``greedy`` (best path), ``beam`` (characters, optional character LM) and
``words`` (lexicon + word LM). This module is itself the default plugin that registers them through
``register_decoders`` (the plugin host registers it before any other); plugins add others the same way. A model's own
language models lie beside its bundle or export (``NAME.lm.json.gz`` for ``beam``,
``NAME.words.lm.gz`` for ``words``) and are used by default.

``"auto"`` picks, in order: the decoder an explicit ``lm`` option's file is for; ``words`` when the
model ships a word LM; ``beam`` when it ships a character LM or beam options are given (hotwords,
n-best ...); else ``greedy``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .errors import ConfigError, RecogError
from .hookspecs import RegisterDecoder, hookimpl
from .vocab import Alphabet

__all__ = ["BUILTIN", "PLUGIN_NAME", "beside", "resolve_decoder", "decoder_choice", "own_lms", "register_decoders"]

PLUGIN_NAME = "recog.decoders"

CHAR_SUFFIX = ".lm.json.gz"
WORDS_SUFFIX = ".words.lm.gz"


def beside(model_path: str | os.PathLike, suffix: str) -> Path:
    """A file that belongs to a model, beside its bundle or export: ``NAME + suffix`` where ``NAME`` is the file
    name up to its first dot (``speech.safetensors``, ``speech.int8.onnx`` -> ``speech.lm.json.gz``)."""
    p = Path(model_path)
    return p.with_name(p.name.split(".")[0] + suffix)


def own_lms(model_path: str | os.PathLike) -> dict[str, Path]:
    """The language models a model ships: decoder name -> file (``beam``: characters, ``words``: words)."""
    found = {"beam": beside(model_path, CHAR_SUFFIX), "words": beside(model_path, WORDS_SUFFIX)}
    return {k: v for k, v in found.items() if v.is_file()}


def _greedy(alphabet: Alphabet, options: dict):
    from .decode import GreedyCTCDecoder

    if options:
        raise ConfigError(f"decoder options {sorted(options)} need a beam decoder (--decoder beam or words)")
    return GreedyCTCDecoder(alphabet)


def _beam(alphabet: Alphabet, options: dict):
    from .beam import BeamCTCDecoder

    return BeamCTCDecoder.from_options(alphabet, options)


def _words(alphabet: Alphabet, options: dict):
    from .beam import WordCTCDecoder

    return WordCTCDecoder.from_options(alphabet, options)


BUILTIN: dict[str, Callable[[Alphabet, dict], Any]] = {"greedy": _greedy, "beam": _beam, "words": _words}


@hookimpl
def register_decoders(register: RegisterDecoder) -> None:
    """The built-in decoders, registered like any plugin's."""
    for name, factory in BUILTIN.items():
        register(name, factory)


def decoder_choice(name: str, options: dict, model_path: str | os.PathLike | None) -> tuple[str, dict]:
    """Resolve ``"auto"`` and fill in the model's own LM: the decoder name and its options."""
    options = dict(options)
    own = own_lms(model_path) if model_path is not None else {}
    lm = options.get("lm")
    if name == "auto":
        if lm is not None:
            name = "words" if str(lm).endswith(WORDS_SUFFIX) or type(lm).__name__ == "WordLM" else "beam"
        elif "lm" in options:  # lm=None: no language model, but a beam search
            name = "beam"
        elif "words" in own:
            name = "words"
        elif "beam" in own or options:
            name = "beam"
        else:
            name = "greedy"
    if name in ("beam", "words") and "lm" not in options:
        options["lm"] = str(own[name]) if name in own else None
    return name, options


def resolve_decoder(
    name: str, alphabet: Alphabet, options: dict | None = None, model_path: str | os.PathLike | None = None, host=None
):
    """The decoder ``name`` (``"auto"`` resolved as the module says) for a model at ``model_path``.

    Raises :class:`RecogError` for an unknown decoder name and :class:`ConfigError` for bad options.
    """
    name, options = decoder_choice(name, dict(options or {}), model_path)
    if host is None and name not in BUILTIN:  # a plugin's decoder: load the plugins only then (torch-free runtime)
        from .plugins import get_host

        host = get_host()
    registry = host.decoders() if host is not None else BUILTIN
    factory = registry.get(name)
    if factory is None:
        raise RecogError(f"no decoder named {name!r} (have: auto, {', '.join(sorted(registry))})")
    return factory(alphabet, options)
