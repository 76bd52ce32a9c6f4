"""The plugin contract: hooks a ``recog`` plugin may implement.

A plugin is a module or object registered under the ``recog`` entry-point group, e.g. in its
``pyproject.toml``::

    [project.entry-points.recog]
    myinput = "my_package.recog_plugin"

and implements any of the hooks below, decorated with :data:`recog.hookimpl`. Every hook is
"register" style: the core passes a ``register`` callable and resolves name clashes in one place
(the first registration of a name wins; later ones are reported in ``recog plugins``).
A hook that raises is reported and skipped; the other plugins keep working.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:  # pragma: no cover - imports for annotations only
    import argparse
    from pathlib import Path

    from .decode import CTCDecoder
    from .pieces import InputReader
    from .runtime.model_info import OnnxModelInfo
    from .frontend import Frontend
    from .vocab import Alphabet

PROJECT = "recog"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)

RegisterFrontend = Callable[["type[Frontend]"], None]
ReportStatus = Callable[[str], None]
RegisterCorpusReader = Callable[[str, "tuple[str, ...]", "Callable[[Path], list]"], None]
RegisterModel = Callable[[str, "Path", str], None]
RegisterDecoder = Callable[[str, "Callable[[Alphabet, dict], CTCDecoder]"], None]
RegisterReader = Callable[[str, "Callable[[OnnxModelInfo], InputReader]"], None]
RegisterDocumentReader = Callable[..., None]
RegisterCommand = Callable[
    [str, str, "Callable[[argparse.ArgumentParser], None]", "Callable[[argparse.Namespace], int]"], None
]


@hookspec
def register_frontends(register: RegisterFrontend) -> None:
    """Register input frontends.

    Called once, the first time the engine needs its frontends (to pick one for an input, or to
    rebuild the frontend a model bundle names). Call ``register(cls)`` for each
    :class:`recog.Frontend` subclass; ``cls.name`` is its registry name. Return nothing.

    In a torch-free install (:func:`recog.lazy.torch_installed` is False) register what the frontend reads
    instead: a torch-free subclass with only ``name``, ``suffixes``, ``default_model``, ``sniff`` and
    ``accepts_object`` (the built-ins' ``AudioInput``/``ImageInput``, which their PyTorch frontends extend), so
    inputs still find their model and the ONNX runtime reads them with the plugin's reader.
    """


@hookspec
def register_models(register: RegisterModel) -> None:
    """Register named model bundles that ship with the plugin.

    Called once, when a model is looked up by name (``recog.load("speech")``) or listed
    (``recog models``). Call ``register(name, path, description)`` with the path of a bundle
    file installed as package data. Return nothing.
    """


@hookspec
def register_decoders(register: RegisterDecoder) -> None:
    """Register CTC decoders (beam searches, language models).

    Called once, when a decoder is looked up by name. Call ``register(name, factory)`` where
    ``factory(alphabet, options)`` returns a :class:`recog.decode.CTCDecoder`. Return nothing.
    The built-in ``greedy``, ``beam`` and ``words`` come from the default plugin ``recog.decoders``,
    registered before any other, so a plugin cannot take over their names. A character LM of a
    plugin's own (:class:`recog.lm.CharLanguageModel`) is passed to ``beam`` as its ``lm`` option.
    """


@hookspec
def register_readers(register: RegisterReader) -> None:
    """Register the torch-free readers that feed a frontend's ONNX exports (:mod:`recog.runtime`).

    Called once, when the runtime opens an export of a frontend no ``reader=`` was given for. Call
    ``register(frontend_name, factory)`` where ``factory(info)`` (an :class:`recog.runtime.OnnxModelInfo`)
    returns a :class:`recog.pieces.InputReader`. The reader must not import torch, and should read with
    the same code the frontend reads with, so both paths accept and refuse the same inputs. Return nothing.
    """


@hookspec
def register_commands(register: RegisterCommand) -> None:
    """Register extra ``recog`` CLI sub-commands.

    Called once while the CLI builds its parser. Call ``register(name, help, configure, run)``:
    ``configure(parser)`` adds the command's arguments; ``run(args)`` executes it and returns the
    exit status. ``run`` should raise :class:`recog.RecogError` for bad input; the CLI reports it.
    """


@hookspec
def register_corpus_readers(register: RegisterCorpusReader) -> None:
    """Register readers of corpus formats besides JSONL manifests (e.g. PAGE/ALTO XML with page images).

    Called once, when ``recog train``/``recog eval`` (:func:`recog.corpus.read_corpus`) meets a file that is not
    a ``.jsonl`` manifest, or a folder. Call ``register(name, suffixes, read)``: ``suffixes`` are lower-case file
    endings (``(".xml",)``); ``read(path)`` returns a list of :class:`recog.data.Utterance` whose ``path`` is any
    source the plugin's frontend loads (a file, or an in-memory crop) and whose ``extra["source"]`` names it for
    errors (``"page.xml#line3"``). ``read`` raises :class:`recog.RecogError` naming the file for bad input.
    Return nothing.
    """


@hookspec
def register_document_readers(register: RegisterDocumentReader) -> None:
    """Register readers of documents: inputs that hold several regions a model reads one at a time (a page scan's
    text lines, :mod:`recog.document`).

    Called once, when an input is read as a document (``recog transcribe`` on an input the recogniser refused with
    :class:`recog.errors.SeveralRegionsError`, or given a layout with ``--lines``; :func:`recog.read_document`).
    Call ``register(frontend, read, formats=(), layout_suffixes=())``: ``read(source, layout)`` returns a
    :class:`recog.document.Document` (``source``: the input, or None to take the one the layout file names;
    ``layout``: a file listing the regions, or None to find them); ``formats`` are the document formats its
    ``write`` supports (``("page", "alto")``); ``layout_suffixes`` the layout files' endings (``(".xml",)``).
    ``read`` raises :class:`recog.RecogError` naming the file (and region) for bad input. Return nothing.
    """


@hookspec
def report_status(report: ReportStatus) -> None:
    """Report optional parts of the plugin that are missing or limited on this machine.

    Called by ``recog plugins`` (:meth:`recog.plugins.PluginHost.info`). Call ``report(line)`` once per
    missing or limited part, e.g. ``report("engine flite: not installed (Debian package flite)")``; report
    nothing when everything is there. Must be cheap and must not fail because a part is missing. Return nothing.
    """
