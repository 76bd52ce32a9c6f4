"""What an exported ONNX file says about itself: the ``metadata_props`` written by :func:`recog.export.export_bundle`."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import BundleError
from ..vocab import Alphabet

__all__ = ["FORMAT", "OnnxModelInfo", "RUNTIME_SUFFIX", "runtime_export_path"]

FORMAT = "recog-onnx/1"  # the same string as recog.export.FORMAT (that module imports torch)
RUNTIME_SUFFIX = ".int8.onnx"  # a model's whole-input int8 export, what a torch-free install runs


def runtime_export_path(bundle_path: str | os.PathLike) -> Path:
    """Where a bundle's whole-input int8 export lies: ``NAME.int8.onnx`` beside ``NAME.safetensors`` (raw input
    in, written by ``recog export MODEL --int8``; ``bash exports/build.sh`` makes the shipped ones)."""
    p = Path(bundle_path)
    return p.with_name(p.name.split(".")[0] + RUNTIME_SUFFIX)


@dataclass(frozen=True)
class OnnxModelInfo:
    """The decoded metadata of a recog ONNX export.

    Attributes:
        name: the model's name.
        alphabet: characters and text normaliser.
        frontend: the frontend's registry name ("audio", "image", ...).
        frontend_config: the frontend's config as a dict.
        inputs: "raw" (feature extraction in the graph) or "features".
        input_names: the graph's input names, in order.
        time_stride: feature frames per output frame.
        unit: "s" or "px".
        frame_step: input units per feature frame, or None where it varies per input (images).
        sample_rate: Hz, for audio frontends.
        line_height: pixels, for image frontends.
        int8: whether weights are quantised.
        metadata: every key, decoded.
    """

    name: str
    alphabet: Alphabet
    frontend: str
    frontend_config: dict
    inputs: str
    input_names: tuple[str, ...]
    time_stride: int
    unit: str
    frame_step: float | None
    sample_rate: int | None
    line_height: int | None
    int8: bool
    metadata: dict = field(repr=False, default_factory=dict)

    @classmethod
    def from_props(cls, props: dict[str, str], source: object = "<onnx>") -> OnnxModelInfo:
        """Decode ``metadata_props`` (key -> JSON string); raise :class:`BundleError` naming ``source`` if they are not ours."""
        meta = {}
        for k, v in props.items():
            try:
                meta[k] = json.loads(v)
            except json.JSONDecodeError:
                meta[k] = v
        if meta.get("format") != FORMAT:
            found = meta.get("format")
            raise BundleError(
                source,
                f"not a recog ONNX export (metadata format {found!r}, expected {FORMAT!r}); "
                "write one with `recog export MODEL -o OUT.onnx`",
            )
        try:
            inputs = meta["inputs"]
            return cls(
                name=str(meta["name"]),
                alphabet=Alphabet.from_dict(meta["alphabet"]),
                frontend=meta["frontend"]["name"],
                frontend_config=meta["frontend"]["config"],
                inputs=inputs["kind"],
                input_names=tuple(inputs["names"]),
                time_stride=int(meta["time_stride"]),
                unit=meta["unit"],
                frame_step=meta.get("frame_step"),
                sample_rate=meta.get("sample_rate"),
                line_height=meta.get("line_height"),
                int8=bool(meta.get("int8", False)),
                metadata=meta,
            )
        except (KeyError, TypeError) as e:
            raise BundleError(source, f"recog ONNX metadata lacks or mangles field {e}") from None
