"""Frontends: the only part of the engine that knows what an input *is*.

A frontend turns one input (a path, bytes, an array, a PIL image, or text) into a feature map
``(C, F, T)`` — C channels, F feature rows (mel bins or pixel rows), T frames along time or
width — plus the step that maps a frame back to seconds or pixels. Built-in frontends live in
``plugins/`` and are registered through the ``recog`` entry-point group like any third-party one.

Two stages keep training fast and inference exportable:

* :meth:`Frontend.load` decodes an input to its raw signal (a waveform, a grayscale image), checking
  it where it enters and raising :mod:`recog.errors` that name the input;
* :meth:`Frontend.featurize` turns a raw signal into :class:`Features`, optionally with the
  frontend's training-time augmentation driven by a seeded ``torch.Generator``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from .errors import ConfigError
from .pieces import HEAD_BYTES, Piece, read_head

if TYPE_CHECKING:  # pragma: no cover - annotations only: configs and readers import no torch
    import torch

__all__ = ["Features", "Piece", "Frontend", "FrontendConfig", "read_head", "HEAD_BYTES"]



@dataclass(frozen=True)
class FrontendConfig:
    """Base class of frontend configs; each frontend declares its own frozen subclass."""

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> FrontendConfig:
        known = {f.name for f in fields(cls)}
        unknown = set(d) - known
        if unknown:
            raise ConfigError(f"{cls.__name__} has no field(s) {sorted(unknown)}")
        return cls(**d)


@dataclass(frozen=True)
class Features:
    """A feature map ready for the model.

    Attributes:
        data: (C, F, T) float tensor.
        frame_step: how far one frame along T advances in the input, in ``unit``s
            (e.g. 0.01 seconds per mel frame, or 1.0 pixel per image column).
        unit: "s" for seconds or "px" for pixels.
        offset: position of frame 0 in the input, in ``unit``s (non-zero for windows of long inputs).
    """

    data: torch.Tensor
    frame_step: float
    unit: str
    offset: float = 0.0

    @property
    def num_frames(self) -> int:
        return int(self.data.shape[-1])


class Frontend(ABC):
    """Base class of input frontends.

    Subclasses set the class attributes and implement :meth:`load` and :meth:`featurize`.
    """

    name: ClassVar[str]  # registry name, stored in model bundles
    config_class: ClassVar[type[FrontendConfig]]
    suffixes: ClassVar[tuple[str, ...]] = ()  # lower-case file suffixes it reads, e.g. (".wav", ".flac")
    unit: ClassVar[str] = "s"  # "s" or "px"
    default_model: ClassVar[str | None] = None  # model used when none is named
    in_channels: ClassVar[int] = 1
    feeds: ClassVar[str | None] = None  # name of the frontend whose features this one produces (tts -> audio)

    def __init__(self, config: FrontendConfig | None = None) -> None:
        self.config = config if config is not None else self.config_class()
        if not isinstance(self.config, self.config_class):
            raise ConfigError(f"{self.name} frontend needs a {self.config_class.__name__}, got {type(config).__name__}")

    # --- what it accepts -------------------------------------------------
    @classmethod
    def sniff(cls, head: bytes) -> bool:
        """True if the first bytes of a file are a format this frontend reads (magic numbers)."""
        return False

    @classmethod
    def accepts_object(cls, obj: Any) -> bool:
        """True if an in-memory object (array, image, text) is something this frontend reads."""
        return False

    @classmethod
    def accepts_path(cls, path: Path, head: bytes) -> int:
        """How well a file matches: 2 if its content sniffs as ours, 1 if only the suffix does, else 0."""
        if cls.sniff(head):
            return 2
        return 1 if path.suffix.lower() in cls.suffixes else 0

    @classmethod
    def feeding(cls, inner: Frontend) -> Frontend:
        """For a frontend with ``feeds``: an instance that produces exactly ``inner``'s features.

        Lets a model trained on ``inner``'s features take this frontend's inputs (text for a speech model).
        """
        raise NotImplementedError(f"{cls.__name__} does not feed another frontend")

    # --- geometry --------------------------------------------------------
    @property
    def in_features(self) -> int:
        """F, the feature rows of :meth:`featurize`'s output (mel bins, line height)."""
        raise NotImplementedError

    # --- the work --------------------------------------------------------
    @abstractmethod
    def load(self, source: Any) -> Any:
        """Decode one input into its raw signal, checked; raise :mod:`recog.errors` naming the input."""

    @abstractmethod
    def featurize(self, raw: Any, *, augment: bool = False, generator: torch.Generator | None = None) -> Features:
        """Turn a raw signal into :class:`Features` ``(C, F, T)``; with ``augment`` apply training augmentation."""

    def length_hint(self, raw: Any) -> float:
        """A number proportional to the frame count T of ``raw``, for length-bucketed batching."""
        return float(self.featurize(raw).num_frames)

    def windows(self, source: Any) -> Iterator[Piece] | None:
        """For inputs too long for one pass: the windows to transcribe separately and stitch.

        Return None (the default) to transcribe the input in one pass.
        """
        return None

    def pieces(self, source: Any) -> tuple[Any, Iterator[Piece] | None]:
        """The input read once: ``(raw, None)`` to transcribe it in one pass, or ``(None, windows)``.

        What the recogniser calls. The default asks :meth:`windows`, then :meth:`load`; a frontend
        whose :meth:`windows` must decode the input to decide overrides this so it is decoded once.
        """
        windows = self.windows(source)
        return (self.load(source), None) if windows is None else (None, windows)

    def export_info(self) -> dict:
        """What an ONNX export records about this frontend's inputs, so that the export and the runtime
        need no knowledge of the input kind.

        Keys: ``geometry`` (facts copied into the export's metadata, e.g. ``{"sample_rate": 16000}``),
        ``raw`` (what the raw input holds, for the export's input description), ``raw_example`` (a raw
        length long enough to trace :meth:`feature_module` with), ``max_raw`` and ``max_frames`` (the
        longest raw signal and feature map one piece can have, e.g. for TensorRT shape profiles; None
        when unbounded).
        """
        return {"geometry": {}, "raw": "raw values", "raw_example": 16_000, "max_raw": None, "max_frames": None}

    def feature_module(self) -> torch.nn.Module | None:
        """For export: a module mapping a padded raw batch to features, or None if features stay outside the graph.

        The module's forward takes ``(raw (B, S), lengths (B,))`` — e.g. waveforms and their sample
        counts — and returns ``(features (B, C, F, T), frame_lengths (B,))`` equal, item by item, to
        :meth:`featurize` without augmentation. It must be exportable to ONNX.
        """
        return None

    def features(self, source: Any, *, augment: bool = False, generator: torch.Generator | None = None) -> Features:
        """:meth:`load` then :meth:`featurize`."""
        return self.featurize(self.load(source), augment=augment, generator=generator)

    # --- persistence -----------------------------------------------------
    def config_dict(self) -> dict:
        return self.config.to_dict()

    @classmethod
    def from_config_dict(cls, d: dict) -> Frontend:
        return cls(cls.config_class.from_dict(d))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.config})"
