"""The network of a recogniser: the PyTorch module, or its int8 ONNX export (3-4x faster on a CPU).

Shapes: B batch, C channels, F feature rows, T frames, T' output frames, V vocabulary.

A shipped model may carry an int8 export of its network beside its bundle (``NAME.encoder.int8.onnx``,
features in, written by ``recog export MODEL --int8 --no-features-in-graph --check MANIFEST``).
:class:`recog.Recognizer` runs it in place of the PyTorch network (engine ``"onnx"``; everything
else, reading, features, decoding and stitching, stays the same) when :func:`int8_export` finds
it usable: made from this very bundle (same metrics and alphabet), and measured, on the test set
named in its ``accuracy_check``, to be as accurate as the PyTorch network within
:data:`MAX_WER_LOSS` / :data:`MAX_CER_LOSS`. Engine ``"auto"`` takes it on a CPU when it is usable.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import ConfigError

if TYPE_CHECKING:  # pragma: no cover
    import torch

    from .bundle import Bundle

__all__ = ["ENGINES", "INT8_SUFFIX", "MAX_WER_LOSS", "MAX_CER_LOSS", "OnnxEncoder", "int8_export", "int8_export_path"]

ENGINES = ("auto", "torch", "onnx")
INT8_SUFFIX = ".encoder.int8.onnx"  # the network alone; NAME.int8.onnx is the whole-input runtime export
MAX_WER_LOSS = 0.005  # the int8 network may lose at most half a WER point on its check set ...
MAX_CER_LOSS = 0.003  # ... and 0.3 CER points


def int8_export_path(bundle_path: str | os.PathLike) -> Path:
    """Where a bundle's int8 network lies: ``NAME.encoder.int8.onnx`` beside ``NAME.safetensors``."""
    from .decoders import beside

    return beside(bundle_path, INT8_SUFFIX)


def int8_export(bundle_path: str | os.PathLike, bundle: Bundle) -> tuple[Path | None, str]:
    """The usable int8 export of ``bundle`` (read from ``bundle_path``), or None and why not."""
    from .export import onnx_metadata

    path = int8_export_path(bundle_path)
    if not path.is_file():
        return None, f"no int8 export ({path.name}) beside the bundle"
    try:
        meta = onnx_metadata(path)
    except Exception as e:  # a damaged file is a reason, not a crash: the PyTorch network serves
        return None, f"{path}: unreadable ({type(e).__name__})"
    kind = (meta.get("inputs") or {}).get("kind") if isinstance(meta.get("inputs"), dict) else None
    if kind != "features":
        return None, f"{path}: takes {kind} input, the recogniser feeds features"
    if meta.get("metrics") != bundle.metrics or meta.get("alphabet") != bundle.alphabet.to_dict():
        return None, f"{path}: made from another version of the model (stale: rebuild with exports/build.sh)"
    check = meta.get("accuracy_check")
    if not check:
        return None, f"{path}: its accuracy was never checked (recog export --check MANIFEST)"
    wer_loss = check["onnx"]["wer"] - check["torch"]["wer"]
    cer_loss = check["onnx"]["cer"] - check["torch"]["cer"]
    if wer_loss > MAX_WER_LOSS or cer_loss > MAX_CER_LOSS:
        return None, (f"{path}: less accurate than the PyTorch network on {check['manifest']} "
                      f"(WER {100 * wer_loss:+.2f}, CER {100 * cer_loss:+.2f} points)")
    return path, "ok"


class OnnxEncoder:
    """An exported network (features in) as a drop-in for :class:`recog.model.CTCModel`'s forward.

    ``encoder(features (B, C, F, T), lengths (B,))`` -> ``(log_probs (B, T', V), out_lengths (B,))``,
    torch tensors in and out, run by ONNX Runtime on the CPU.
    """

    engine = "onnx"

    def __init__(self, path: str | os.PathLike, threads: int | None = None) -> None:
        import onnxruntime as ort

        from .runtime.session import default_session_options

        self.path = Path(path)
        try:
            self.session = ort.InferenceSession(str(self.path), default_session_options(threads),
                                                providers=["CPUExecutionProvider"])
        except Exception as e:  # onnxruntime raises its own pybind exception types
            raise ConfigError(f"{self.path}: ONNX Runtime cannot load it: {str(e).strip().splitlines()[0]}") from None
        self._names = [i.name for i in self.session.get_inputs()]

    def __call__(self, features: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        import torch

        feeds: dict[str, Any] = {
            self._names[0]: np.ascontiguousarray(features.detach().cpu().numpy(), dtype=np.float32),
            self._names[1]: lengths.detach().cpu().numpy().astype(np.int64),
        }
        log_probs, out_lengths = self.session.run(None, feeds)[:2]
        return torch.from_numpy(log_probs), torch.from_numpy(out_lengths)
