"""recog: BiLSTM-CTC recognition with plugin frontends (speech, handwriting, text-to-speech).

Quick use::

    import recog
    result = recog.transcribe("call.wav")      # picks the frontend and default model by input kind
    print(result.text, result.words)
    rec = recog.load("handwriting")            # or a bundle path
    rec.transcribe_batch(["a.png", "b.png"])
"""

from .api import EvalReport, default_model_for, evaluate, load, models, transcribe
from .bundle import Bundle
from .decode import CTCHypothesis, GreedyCTCDecoder, ctc_greedy_decode
from .errors import *  # noqa: F401,F403
from .errors import __all__ as _errors_all
from .frontend import Features, Frontend, FrontendConfig, Window
from .hookspecs import hookimpl
from .metrics import cer, wer
from .model import CTCModel, ModelConfig
from .recognizer import Recognizer, TokenTiming, Transcript
from .vocab import Alphabet, TextNormalizer

__version__ = "0.1.0"

__all__ = [
    "transcribe",
    "load",
    "models",
    "evaluate",
    "default_model_for",
    "EvalReport",
    "Recognizer",
    "Transcript",
    "TokenTiming",
    "Bundle",
    "CTCModel",
    "ModelConfig",
    "Alphabet",
    "TextNormalizer",
    "CTCHypothesis",
    "GreedyCTCDecoder",
    "ctc_greedy_decode",
    "Features",
    "Frontend",
    "FrontendConfig",
    "Window",
    "hookimpl",
    "cer",
    "wer",
    *_errors_all,
]
