"""recog: BiLSTM-CTC recognition with plugin frontends (speech, handwriting, text-to-speech).

Quick use::

    import recog
    result = recog.transcribe("call.wav")      # picks the frontend and default model by input kind
    print(result.text, result.words)
    rec = recog.load("handwriting")            # or a bundle path
    rec.transcribe_batch(["a.png", "b.png"])

Errors, results and the vocabulary import without PyTorch; everything else is imported on first
use, so ``recog.runtime`` (ONNX) and ``recog --help`` stay light.
"""


from .errors import *  # noqa: F401,F403
from .lazy import lazy_exports
from .errors import __all__ as _errors_all
from .results import TokenTiming, Transcript
from .vocab import Alphabet, TextNormalizer

__version__ = "0.1.0"

_LAZY = {
    "transcribe": "api",
    "transcribe_document": "api",
    "read_document": "document",
    "Document": "document",
    "DocumentResult": "document",
    "Region": "document",
    "load": "api",
    "models": "api",
    "evaluate": "api",
    "default_model_for": "api",
    "EvalReport": "api",
    "paired_bootstrap": "bootstrap",
    "Comparison": "bootstrap",
    "resolve_model": "api",
    "model_lm_path": "api",
    "BeamCTCDecoder": "beam",
    "CharNgramLM": "lm",
    "Recognizer": "recognizer",
    "Bundle": "bundle",
    "CTCModel": "model",
    "ModelConfig": "model",
    "CTCHypothesis": "decode",
    "GreedyCTCDecoder": "decode",
    "ctc_greedy_decode": "decode",
    "Features": "frontend",
    "Frontend": "frontend",
    "FrontendConfig": "frontend",
    "Piece": "pieces",
    "hookimpl": "hookspecs",
    "cer": "metrics",
    "export_bundle": "export",
    "OnnxRecognizer": "runtime",
    "wer": "metrics",
}

__all__ = ["TokenTiming", "Transcript", "Alphabet", "TextNormalizer", *_LAZY, *_errors_all]


__getattr__, __dir__ = lazy_exports(__name__, _LAZY, eager=("TokenTiming", "Transcript", "Alphabet", "TextNormalizer", *_errors_all))
