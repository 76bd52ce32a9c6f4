"""Names a package imports on first use, so that importing it (``recog --help``, a plugin's entry point) stays
light: torch and friends load only when a name that needs them is touched (PEP 562)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from importlib import import_module
from importlib.util import find_spec

__all__ = ["lazy_exports", "torch_installed", "TORCH_EXTRA"]

# how a torch-free install gets the PyTorch layer (training, export, the PyTorch recogniser)
TORCH_EXTRA = "pip install 'recog[torch]'"


def torch_installed() -> bool:
    """True when PyTorch can be imported here (found, not imported: the check costs microseconds).

    The base install is torch-free (the ONNX runtime runs the shipped models); ``recog[torch]`` adds training,
    export and the PyTorch recogniser.
    """
    try:
        return find_spec("torch") is not None
    except (ImportError, ValueError):  # an import hook that refuses torch, or a half-removed module
        return False


def lazy_exports(package: str, names: dict[str, str], eager: tuple[str, ...] = ()) -> tuple[Callable, Callable]:
    """``(__getattr__, __dir__)`` for ``package`` whose ``names`` map to the submodule that defines each.

    Use at the end of a package's ``__init__``: ``__getattr__, __dir__ = lazy_exports(__name__, _LAZY)``.
    A name is imported once, then kept in the package's namespace. ``eager`` lists names the package defines
    itself, for ``dir()``.
    """

    def __getattr__(name: str):
        if name in names:
            value = getattr(import_module(f".{names[name]}", package), name)
            setattr(sys.modules[package], name, value)
            return value
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted({*names, *eager})

    return __getattr__, __dir__
