"""Model bundles: one self-describing safetensors file.

The tensors are the model's weights (never pickle). The file's string metadata holds, under the
key ``recog``, a JSON document with the format version, the model config, the alphabet and its
normaliser, the frontend's name and config, a description of the training data and command, and
the measured metrics. ``recog.load(path)`` needs nothing else.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from safetensors import SafetensorError, safe_open

from .atomic import atomic_write
from .errors import BundleError
from .vocab import Alphabet

if TYPE_CHECKING:  # pragma: no cover - the header reads without torch (recog models in a torch-free install)
    import torch

    from .model import CTCModel, ModelConfig

__all__ = ["FORMAT", "Bundle"]

FORMAT = "recog-bundle/1"
_KEY = "recog"


@dataclass
class Bundle:
    """Everything needed to rebuild a recogniser.

    Attributes:
        model_config: shape of the network.
        alphabet: characters and text normaliser.
        frontend: registry name of the frontend (e.g. "audio").
        frontend_config: the frontend's config as a dict.
        state_dict: the weights.
        name: short model name.
        training: how it was trained (data, splits, command, wall time).
        metrics: measured numbers, each saying which set and split.
    """

    model_config: ModelConfig
    alphabet: Alphabet
    frontend: str
    frontend_config: dict
    state_dict: dict[str, torch.Tensor]
    name: str = "model"
    training: dict = field(default_factory=dict)
    metrics: dict = field(default_factory=dict)

    def header(self) -> dict:
        return {
            "format": FORMAT,
            "name": self.name,
            "model": self.model_config.to_dict(),
            "alphabet": self.alphabet.to_dict(),
            "frontend": {"name": self.frontend, "config": self.frontend_config},
            "training": self.training,
            "metrics": self.metrics,
        }

    def save(self, path: str | os.PathLike, *, half: bool = False) -> Path:
        """Write the bundle atomically; ``half`` stores floating weights as float16 (half the size)."""
        from safetensors.torch import save_file

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tensors = {}
        for k, v in self.state_dict.items():
            v = v.detach().cpu().contiguous()
            if half and v.is_floating_point():
                v = v.half()
            tensors[k] = v
        meta = {_KEY: json.dumps(self.header(), ensure_ascii=False)}
        # a model is not a secret: readable by all (0o644), like any installed file
        return atomic_write(path, lambda tmp: save_file(tensors, str(tmp), metadata=meta))

    @classmethod
    def read_header(cls, path: str | os.PathLike) -> dict:
        """The bundle's JSON header without loading weights."""
        path = Path(path)
        if not path.is_file():
            raise BundleError(path, "no such bundle file")
        try:
            with safe_open(str(path), framework="numpy") as f:
                meta = f.metadata() or {}
        except (SafetensorError, OSError, ValueError) as e:
            raise BundleError(path, f"not a readable safetensors file ({e})") from None
        if _KEY not in meta:
            raise BundleError(path, "safetensors file without recog metadata: not a recog bundle")
        try:
            head = json.loads(meta[_KEY])
        except json.JSONDecodeError as e:
            raise BundleError(path, f"corrupt bundle header ({e.msg})") from None
        if head.get("format") != FORMAT:
            raise BundleError(path, f"unsupported bundle format {head.get('format')!r}, expected {FORMAT!r}")
        return head

    @classmethod
    def load(cls, path: str | os.PathLike) -> Bundle:
        """Read a bundle; raises :class:`BundleError` naming the file if it is missing, foreign or corrupt."""
        import torch
        from safetensors.torch import load_file

        from .model import ModelConfig

        path = Path(path)
        head = cls.read_header(path)
        try:
            tensors = load_file(str(path))
        except (SafetensorError, OSError, ValueError) as e:
            raise BundleError(path, f"corrupt weights ({e})") from None
        try:
            bundle = cls(
                model_config=ModelConfig.from_dict(head["model"]),
                alphabet=Alphabet.from_dict(head["alphabet"]),
                frontend=head["frontend"]["name"],
                frontend_config=head["frontend"]["config"],
                state_dict={k: v.float() if v.is_floating_point() else v for k, v in tensors.items()},
                name=head.get("name", path.stem),
                training=head.get("training", {}),
                metrics=head.get("metrics", {}),
            )
        except (KeyError, TypeError) as e:
            raise BundleError(path, f"bundle header lacks or mangles field {e}") from None
        if bundle.model_config.vocab_size != len(bundle.alphabet):
            raise BundleError(
                path, f"model has {bundle.model_config.vocab_size} outputs but the alphabet has {len(bundle.alphabet)}"
            )
        bad = [k for k, v in bundle.state_dict.items() if v.is_floating_point() and not bool(torch.isfinite(v).all())]
        if bad:  # a diverged or damaged model would decode every input to "" and look like it worked
            raise BundleError(path, f"weights are not finite (NaN or infinity) in {', '.join(bad[:3])}"
                                    + (f" and {len(bad) - 3} more" if len(bad) > 3 else ""))
        return bundle

    def build_model(self, source: str | os.PathLike = "<bundle>") -> CTCModel:
        """The network with the bundle's weights, in eval mode."""
        from .model import CTCModel

        model = CTCModel(self.model_config)
        try:
            model.load_state_dict(self.state_dict)
        except RuntimeError as e:
            raise BundleError(source, f"weights do not fit the model config: {str(e).splitlines()[0]}") from None
        return model.eval()
