"""One error hierarchy for the whole engine.

Every error the library raises on bad input is a :class:`RecogError`. Errors about a
particular input carry its ``source`` (a path or a short description such as
``"<array>"``) so that messages name the file. Only the CLI turns these into a
one-line message and an exit status; the library never prints.
"""

from __future__ import annotations

import os

__all__ = [
    "RecogError",
    "InputError",
    "InputNotFoundError",
    "UnsupportedFormatError",
    "CorruptInputError",
    "EmptyInputError",
    "SeveralRegionsError",
    "TextError",
    "ModelMismatchError",
    "BundleError",
    "ModelNotFoundError",
    "PluginError",
    "DataError",
    "ConfigError",
    "ExportError",
    "OutputError",
]


class RecogError(Exception):
    """Base class of every error raised by recog on bad input or bad state."""


class InputError(RecogError):
    """Something is wrong with one input (file, bytes, array or text).

    Args:
        source: the path or a description of the input, named in the message.
        problem: what was expected and what was found.
    """

    def __init__(self, source: object, problem: str) -> None:
        self.source = _describe(source)
        self.problem = problem
        super().__init__(f"{self.source}: {problem}")

    def __reduce__(self):  # travels between processes (recog.pool) as it was made
        return type(self), (self.source, self.problem)


class InputNotFoundError(InputError, FileNotFoundError):
    """The input path does not exist or is not a regular file."""


class UnsupportedFormatError(InputError):
    """No frontend accepts the input, or the content does not match its suffix."""


class CorruptInputError(InputError):
    """The input could be identified but not decoded (truncated, damaged, non-finite)."""


class EmptyInputError(InputError):
    """The input decodes to nothing (zero samples, 0x0 pixels, empty text)."""


class SeveralRegionsError(InputError):
    """The input holds several regions that the model reads one at a time (a page's text lines): read it as a
    document (:func:`recog.transcribe_document`; ``recog transcribe`` does so by itself)."""


class TextError(InputError):
    """Text that cannot be used (for synthesis or as a training transcript)."""


class ModelMismatchError(RecogError):
    """A model and a frontend or input that do not belong together."""


class BundleError(RecogError):
    """A model bundle is missing fields, has the wrong format or is corrupt.

    Args:
        path: the bundle's path.
        problem: what is wrong with it.
    """

    def __init__(self, path: object, problem: str) -> None:
        self.path = _describe(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")

    def __reduce__(self):
        return type(self), (self.path, self.problem)


class ModelNotFoundError(RecogError):
    """A model name that is neither a registered model nor an existing file."""


class PluginError(RecogError):
    """A plugin failed to load or a hook implementation misbehaved."""


class DataError(RecogError):
    """A manifest or training set is malformed (bad JSON, missing fields, unknown characters)."""


class ConfigError(RecogError):
    """An invalid configuration value."""


class ExportError(RecogError):
    """An export that failed or disagrees with the PyTorch model."""


class OutputError(RecogError):
    """A file could not be written (full disk, read-only folder, no permission); no partial file is left."""

    def __init__(self, path: object, problem: str) -> None:
        self.path = _describe(path)
        self.problem = problem
        super().__init__(f"{self.path}: cannot write: {problem}")

    def __reduce__(self):
        return type(self), (self.path, self.problem)


def _describe(source: object) -> str:
    if isinstance(source, (str, os.PathLike)):
        return os.fspath(source)
    if source is None:
        return "<input>"
    if isinstance(source, (bytes, bytearray, memoryview)):
        return f"<{len(source)} bytes>"
    shape = getattr(source, "shape", None)
    if shape is not None:
        return f"<array of shape {tuple(shape)}>"
    return f"<{type(source).__name__}>"

