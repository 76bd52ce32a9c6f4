"""recog: BiLSTM-CTC recognition with plugin frontends (speech, handwriting, text-to-speech)."""

from .errors import *  # noqa: F401,F403
from .errors import __all__ as _errors_all
from .frontend import Features, Frontend, FrontendConfig, Window
from .hookspecs import hookimpl

__all__ = ["Features", "Frontend", "FrontendConfig", "Window", "hookimpl", *_errors_all]
