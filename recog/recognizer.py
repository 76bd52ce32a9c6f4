"""The recogniser: frontend -> CTC model -> decoder, with typed results and long-input stitching.

Shapes: B batch, C channels, F feature rows, T frames, T' output frames, V vocabulary.
"""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import torch

from .beam import aligned_hypothesis
from .bundle import Bundle
from .decode import NOTHING, CTCDecoder, CTCHypothesis, GreedyCTCDecoder, silent_items
from .decoders import resolve_decoder
from .errors import (
    ConfigError,
    DataError,
    ModelMismatchError,
    RecogError,
    UnsupportedFormatError,
)
from .frontend import Features, Frontend, read_head
from .model import CTCModel
from .plugins import get_host
from .pool import run_in_workers
from .results import Stitcher, TokenTiming, Transcript, describe_source, token_timings
from .vocab import Alphabet

__all__ = ["Recognizer"]


class Recognizer:
    """A frontend, a CTC model and a decoder that belong together.

    Args:
        model: the network (put in eval mode).
        alphabet: the model's alphabet and normaliser.
        frontend: turns inputs into features; must produce the F and C the model expects.
        decoder: a :class:`CTCDecoder`; greedy by default.
        name: the model's name, reported in results.
        device: where the model runs; CUDA when available, else CPU.
        encoder: runs the network in place of ``model``'s forward (same inputs and outputs), e.g. its int8
            ONNX export (:class:`recog.encoders.OnnxEncoder`); ``model`` still serves :meth:`align`.
    """

    def __init__(
        self,
        model: CTCModel,
        alphabet: Alphabet,
        frontend: Frontend,
        *,
        decoder: CTCDecoder | None = None,
        name: str = "model",
        bundle: Bundle | None = None,
        device: str | torch.device | None = None,
        encoder: Any = None,
    ) -> None:
        if getattr(frontend, "in_features", None) != model.config.in_features:
            raise ModelMismatchError(
                f"model {name!r} expects {model.config.in_features} feature rows but frontend "
                f"{frontend.name!r} produces {frontend.in_features}"
            )
        self.device = torch.device(device) if device else torch.device("cuda" if torch.cuda.is_available() else "cpu")
        self.model = model.to(self.device).eval()
        self.alphabet = alphabet
        self.frontend = frontend
        self.decoder = decoder or GreedyCTCDecoder(alphabet)
        self.name = name
        self.bundle = bundle
        self.encoder = encoder
        self._feeders: dict[str, Frontend] = {}
        # builds this recogniser again in another process (recog.pool); set by from_bundle for a bundle file
        self.remake: Callable[[], Recognizer] | None = None

    @property
    def engine(self) -> str:
        """What runs the network: ``"torch"``, or ``"onnx"`` (an int8 export, see :mod:`recog.encoders`)."""
        return getattr(self.encoder, "engine", "custom") if self.encoder is not None else "torch"

    @property
    def unit(self) -> str:
        """Positions in transcripts: ``"s"`` or ``"px"``."""
        return self.frontend.unit

    @classmethod
    def from_bundle(
        cls,
        bundle: Bundle,
        *,
        source: str | os.PathLike = "<bundle>",
        decoder: str = "greedy",
        decoder_options: dict | None = None,
        device: str | None = None,
        engine: str = "torch",
    ) -> Recognizer:
        """A recogniser for ``bundle`` (read from ``source``, whose neighbours hold its LMs and int8 export).

        ``engine``: ``"torch"`` (the PyTorch network), ``"onnx"`` (its int8 export; a :class:`ConfigError`
        says why when it is not usable) or ``"auto"`` (the int8 export on a CPU when usable, else PyTorch).
        """
        from .encoders import ENGINES, OnnxEncoder, int8_export

        if engine not in ENGINES:
            raise ConfigError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")
        model = bundle.build_model(source)
        host = get_host()
        fe_cls = host.frontend(bundle.frontend)
        frontend = fe_cls.from_config_dict(bundle.frontend_config)
        model_path = source if source != "<bundle>" else None
        rec = cls(
            model,
            bundle.alphabet,
            frontend,
            decoder=resolve_decoder(decoder, bundle.alphabet, decoder_options, model_path, host),
            name=bundle.name,
            bundle=bundle,
            device=device,
        )
        if engine != "torch":
            export, why = int8_export(model_path, bundle) if model_path is not None else (None, "a bundle in memory")
            if export is not None and rec.device.type == "cpu":
                rec.encoder = OnnxEncoder(export)
            elif engine == "onnx":
                raise ConfigError(f"engine 'onnx': {why if export is None else 'the int8 export runs on the CPU only'}")
        if model_path is not None:
            rec.remake = functools.partial(_from_file, str(model_path), decoder=decoder, decoder_options=decoder_options,
                                           device=device, engine=engine)
        return rec

    # --- input checks -----------------------------------------------------
    def frontend_for(self, source: Any) -> Frontend:
        """The model's frontend, or one that feeds it and claims ``source`` (e.g. text for a speech model)."""
        if self.frontend.accepts_object(source):
            return self.frontend
        for name, cls in get_host().frontends().items():
            if cls.feeds == self.frontend.name and cls.accepts_object(source):
                if name not in self._feeders:
                    self._feeders[name] = cls.feeding(self.frontend)
                return self._feeders[name]
        return self.frontend

    def check_input(self, source: Any) -> None:
        """Raise if ``source`` is a file this recogniser's frontend cannot read (before decoding it)."""
        if isinstance(source, (str, os.PathLike)) and self.frontend_for(source) is self.frontend \
                and not self.frontend.accepts_object(source):
            path = Path(source)
            head = read_head(path)
            if self.frontend.accepts_path(path, head) == 0:
                others = [
                    n for n, c in get_host().frontends().items() if n != self.frontend.name and c.accepts_path(path, head)
                ]
                if others:
                    raise ModelMismatchError(
                        f"{path}: model {self.name!r} reads {self.frontend.name} input, but this looks like "
                        f"{others[0]} input"
                    )
                raise UnsupportedFormatError(path, f"not a format the {self.frontend.name} frontend reads")

    # --- inference -------------------------------------------------------
    @torch.inference_mode()
    def _run(self, feats: Sequence[Features]) -> list[CTCHypothesis]:
        """Model + decoder over a list of feature maps (padded into one batch)."""
        c, f = feats[0].data.shape[:2]
        t_max = max(x.num_frames for x in feats)
        x = torch.zeros(len(feats), c, f, t_max)  # (B, C, F, T)
        for i, ft in enumerate(feats):
            x[i, :, :, : ft.num_frames] = ft.data
        lengths = torch.tensor([ft.num_frames for ft in feats])
        net = self.encoder or self.model
        log_probs, out_lengths = net(x.to(self.device), lengths.to(self.device))  # (B, T', V)
        hyps = self.decoder(log_probs, out_lengths)
        return [NOTHING if silent else h for h, silent in zip(hyps, silent_items(x))]

    def _to_tokens(self, hyp: CTCHypothesis, ft: Features) -> list[TokenTiming]:
        return token_timings(hyp, self.alphabet.chars, self.model.config.time_stride * ft.frame_step, ft.offset)

    def _transcript(
        self, tokens: list[TokenTiming], confidence: float, source: Any, extent: float, alternatives: tuple = (),
        signal: bool = True,
    ) -> Transcript:
        return Transcript.from_tokens(tokens, confidence, self.frontend.unit, source, self.name, extent, alternatives,
                                      signal=signal)

    def _transcribe_windows(self, source: Any, windows: Iterable, batch_size: int) -> Transcript:
        stitcher = Stitcher(" " in self.alphabet.chars)
        pending: list = []

        def flush() -> None:
            feats = []
            for w in pending:
                ft = self.frontend.featurize(w.data)
                feats.append(Features(ft.data, ft.frame_step, ft.unit, offset=w.start))
            for w, ft, hyp in zip(pending, feats, self._run(feats)):
                end = w.end if w.end is not None else math.inf
                own = w.own if w.own is not None else (w.start, end)
                stitcher.add(self._to_tokens(hyp, ft), hyp.confidence, w.start, end, own, signal=hyp is not NOTHING)
            pending.clear()

        for w in windows:
            pending.append(w)
            if len(pending) >= batch_size:
                flush()
        if pending:
            flush()
        return stitcher.transcript(self.frontend.unit, source, self.name)

    @torch.inference_mode()
    def align(self, source: Any, text: str) -> Transcript:
        """Force-align ``text`` to ``source``: where each of its characters and words lies (the best CTC path of
        the text through the model's log-probabilities, one pass over the whole input).

        Returns a :class:`Transcript` of ``text`` (normalised by the model) with timings and per-character
        posteriors; its ``words`` and ``segments`` give word times, subtitles follow from them.

        Raises:
            DataError: text with characters outside the model's alphabet, or more text than the input can hold.
            InputError: an input that cannot be read (naming it).
        """
        self.check_input(source)
        tokens = tuple(self.alphabet.encode(text, source="the text to align"))
        if not tokens:
            raise DataError("the text to align is empty")
        ft = self.frontend_for(source).features(source)
        lengths = torch.tensor([ft.num_frames])
        lp, out_len = self.model(ft.data[None].to(self.device), lengths.to(self.device))  # (1, T', V)
        lp = lp[0, : int(out_len[0])].float().cpu().numpy().astype("float64")  # (T', V)
        try:
            hyp = aligned_hypothesis(lp, tokens, self.alphabet)
        except ValueError:
            raise DataError(f"{describe_source(source)}: the text ({len(tokens)} characters) needs more time than the "
                            f"input holds ({lp.shape[0]} model frames); is it the right text?") from None
        return self._transcript(self._to_tokens(hyp, ft), hyp.confidence, source, ft.num_frames * ft.frame_step)

    def transcribe(self, source: Any) -> Transcript:
        """Transcribe one input (a path, bytes, an array, an image, ...); long inputs are windowed and stitched."""
        return self.transcribe_batch([source])[0]

    def transcribe_batch(
        self, sources: Sequence[Any], *, batch_size: int = 16, errors: str = "raise",
        progress: Callable[[int, int, dict], None] | None = None, workers: int | str = 1,
    ) -> list[Transcript | RecogError]:
        """Transcribe many inputs, batching similar lengths together.

        Args:
            sources: inputs in any form the frontend accepts.
            batch_size: inputs per forward pass.
            errors: "raise" to raise the first input error, or "return" to put the
                :class:`RecogError` in that input's place and go on with the others.
            progress: called as ``progress(done, total, {})`` as inputs finish (a long input counts when
                all its windows are done).
            workers: processes, each with this recogniser at one thread (:mod:`recog.pool`); ``"auto"``: one
                per usable core for 64 inputs or more. Needs a recogniser loaded from a bundle file.

        Returns:
            One :class:`Transcript` (or error, with ``errors="return"``) per source, in order.
        """
        if errors not in ("raise", "return"):
            raise ValueError("errors must be 'raise' or 'return'")
        pooled = run_in_workers(
            self.remake if self.device.type == "cpu" or workers != "auto" else None, sources, workers,
            cannot="workers > 1 needs a recogniser loaded from a bundle file (recog.load)",
            batch_size=batch_size, errors=errors, progress=progress,
        )
        if pooled is not None:
            return pooled
        results: list[Transcript | RecogError | None] = [None] * len(sources)
        short: list[tuple[int, Features]] = []
        for i, src in enumerate(sources):
            try:
                self.check_input(src)
                frontend = self.frontend_for(src)
                raw, windows = frontend.pieces(src)  # the input is read once
                if windows is not None:
                    results[i] = self._transcribe_windows(src, windows, batch_size)
                else:
                    short.append((i, frontend.featurize(raw)))
            except RecogError as e:
                if errors == "raise":
                    raise
                results[i] = e
            if progress is not None and results[i] is not None:
                progress(sum(r is not None for r in results), len(sources), {})
        short.sort(key=lambda x: x[1].num_frames)
        for b in range(0, len(short), batch_size):
            chunk = short[b : b + batch_size]
            hyps = self._run([ft for _, ft in chunk])
            for (i, ft), hyp in zip(chunk, hyps):
                extent = ft.num_frames * ft.frame_step
                results[i] = self._transcript(
                    self._to_tokens(hyp, ft), hyp.confidence, sources[i], extent, hyp.alternatives, hyp is not NOTHING
                )
            if progress is not None:
                progress(sum(r is not None for r in results), len(sources), {})
        return results  # type: ignore[return-value]


def _from_file(path: str, **kwargs: Any) -> Recognizer:
    """:meth:`Recognizer.from_bundle` of the bundle at ``path``: how a worker process builds its recogniser."""
    return Recognizer.from_bundle(Bundle.load(path), source=path, **kwargs)
