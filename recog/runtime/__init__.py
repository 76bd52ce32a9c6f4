"""The ONNX runtime: transcribe with an exported model without PyTorch.

Only NumPy, onnxruntime, soundfile and Pillow are imported (never torch), so a deployment needs
``pip install onnxruntime numpy soundfile pillow`` (or ``onnxruntime-gpu``) plus this package::

    from recog.runtime import OnnxRecognizer
    rec = OnnxRecognizer("exports/speech.onnx")   # CUDA/TensorRT when a GPU is present, else CPU
    print(rec.transcribe("call.wav").text)
    rec.transcribe_batch(["a.flac", "b.wav"], batch_size=16)

Results are the same :class:`recog.Transcript` objects the PyTorch recogniser returns, decoded by the
same :func:`recog.decode.ctc_greedy_decode`. Exports are written by ``recog export`` (see
:func:`recog.export.export_bundle`); their metadata carries the alphabet, the frontend's settings
and the time stride, so the ``.onnx`` file is all the runtime needs.
"""

from .model_info import FORMAT, OnnxModelInfo
from ..pieces import InputReader, Piece, reader_for
from .session import OnnxRecognizer, default_providers, gpu_available, tensorrt_options

__all__ = [
    "FORMAT",
    "OnnxModelInfo",
    "OnnxRecognizer",
    "InputReader",
    "Piece",
    "reader_for",
    "default_providers",
    "gpu_available",
    "tensorrt_options",
]
