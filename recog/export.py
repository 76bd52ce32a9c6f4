"""ONNX export of the CTC network: features ``(B, C, F, T)`` + lengths ``(B,)`` in, log-probs ``(B, T', V)`` + lengths out.

Batch and time axes are dynamic. The TorchScript-based exporter is used for the network: it
handles the LSTMs and the length-aware reversal exactly, for every batch size and length.
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path

import torch

from .model import CTCModel

__all__ = ["export_encoder_onnx", "INPUT_NAMES", "OUTPUT_NAMES"]

INPUT_NAMES = ["features", "lengths"]
OUTPUT_NAMES = ["log_probs", "out_lengths"]


def export_encoder_onnx(
    model: CTCModel, path: str | os.PathLike, *, metadata: dict | None = None, opset: int = 17
) -> Path:
    """Write ``model`` as ONNX with dynamic batch (B) and time (T) axes.

    Args:
        model: the network (exported in eval mode; its mode is restored afterwards).
        path: output ``.onnx`` file.
        metadata: JSON-serialisable values stored as ``metadata_props`` (one JSON string per key).
        opset: ONNX opset.
    """
    import onnx

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    cfg = model.config
    was_training = model.training
    model.eval()
    t = 8 * cfg.time_stride
    x = torch.randn(2, cfg.in_channels, cfg.in_features, t)
    lengths = torch.tensor([t, t // 2])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model,
            (x, lengths),
            str(path),
            input_names=INPUT_NAMES,
            output_names=OUTPUT_NAMES,
            dynamic_axes={
                "features": {0: "B", 3: "T"},
                "lengths": {0: "B"},
                "log_probs": {0: "B", 1: "T_out"},
                "out_lengths": {0: "B"},
            },
            opset_version=opset,
            dynamo=False,
        )
    model.train(was_training)
    if metadata:
        proto = onnx.load(str(path))
        for k, v in metadata.items():
            entry = proto.metadata_props.add()
            entry.key, entry.value = k, json.dumps(v, ensure_ascii=False)
        onnx.save(proto, str(path))
    return path
