"""The torch-free recogniser: an ONNX Runtime session, an input reader and the shared greedy decoder.

Shapes: B batch, S raw samples, C channels, F feature rows, T frames, T' output frames, V vocabulary.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import math
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..decode import NOTHING, CTCHypothesis, silent_items
from ..errors import BundleError, ModelMismatchError, RecogError
from ..pieces import InputReader, Piece, reader_for
from ..pool import process_threads, run_in_workers
from ..results import Stitcher, TokenTiming, Transcript, token_timings
from .model_info import OnnxModelInfo

__all__ = ["OnnxRecognizer", "default_providers", "gpu_available", "tensorrt_options"]

CPU, CUDA, TENSORRT = "CPUExecutionProvider", "CUDAExecutionProvider", "TensorrtExecutionProvider"


# --- execution providers -------------------------------------------------------------------------------


def _load_any(names: Sequence[str]) -> ctypes.CDLL | None:
    for name in names:
        try:
            return ctypes.CDLL(name)
        except OSError:
            continue
    return None


def gpu_available() -> bool:
    """True if the NVIDIA driver is installed and reports at least one CUDA device (checked without torch)."""
    lib = _load_any(["nvcuda.dll"] if sys.platform == "win32" else ["libcuda.so.1", "libcuda.so", "libcuda.dylib"])
    if lib is None:
        return False
    count = ctypes.c_int(0)
    try:
        return lib.cuInit(0) == 0 and lib.cuDeviceGetCount(ctypes.byref(count)) == 0 and count.value > 0
    except AttributeError:
        return False


def _tensorrt_available() -> bool:
    names = ["libnvinfer.so.10", "libnvinfer.so"] + ([ctypes.util.find_library("nvinfer")] if sys.platform != "win32" else [])
    return _load_any([n for n in names if n]) is not None


def default_threads() -> int:
    """Intra-op threads when none are given: ``OMP_NUM_THREADS`` if set to a positive number, else 1
    (:func:`recog.pool.process_threads`)."""
    return process_threads()


def default_session_options(threads: int | None = None) -> Any:
    """ONNX Runtime session options: all graph optimisations, errors only, ``threads`` intra-op threads
    (default :func:`default_threads`), one inter-op thread, no CPU memory arena.

    The arena keeps the largest pass's buffers for the life of the session and rounds them up: without it
    a 20-second window's network pass grows the resident set by 5.6 MB instead of 9.5 MB, at the same speed
    (``bench/pass_memory.py``).
    """
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.log_severity_level = 3  # errors only
    opts.intra_op_num_threads = threads or default_threads()
    opts.inter_op_num_threads = 1
    opts.enable_cpu_mem_arena = False
    return opts


def default_providers() -> list[str]:
    """TensorRT (when its libraries load), then CUDA, when a GPU is present and this onnxruntime build has them; CPU last.

    onnxruntime-gpu lists its GPU providers even on machines without a GPU; asking for them there
    only produces load errors, so the GPU is probed through the driver first.
    """
    import onnxruntime as ort

    available = ort.get_available_providers()
    chosen = []
    if CUDA in available and gpu_available():
        if TENSORRT in available and _tensorrt_available():
            chosen.append(TENSORRT)
        chosen.append(CUDA)
    return chosen + [CPU]


def _provider_name(p: Any) -> str:
    return p[0] if isinstance(p, tuple) else str(p)


def tensorrt_options(info: OnnxModelInfo, cache_dir: str | os.PathLike | None = None) -> dict:
    """TensorRT provider options for an export: a cached engine whose shape profile spans batch 1..16 and
    every input length the frontend produces (the ``input_limits`` its ``export_info`` declared: one window of
    audio, the widest line ...), so varying lengths do not rebuild the engine. A frontend that declared no limit
    for this kind of input gets the cache without a profile (TensorRT then builds an engine per new shape)."""
    cache = Path(cache_dir) if cache_dir else Path.home() / ".cache" / "recog" / "tensorrt"
    cache.mkdir(parents=True, exist_ok=True)
    names = info.input_names
    top = (info.metadata.get("input_limits") or {}).get(info.inputs)
    if not top:
        return {"trt_engine_cache_enable": True, "trt_engine_cache_path": str(cache)}
    if info.inputs == "raw":
        lo, opt, hi = "1x1", f"1x{top // 4}", f"16x{top}"
    else:
        model = info.metadata.get("model", {})
        c, f = model.get("in_channels", 1), model.get("in_features", 1)
        lo, opt, hi = f"1x{c}x{f}x1", f"1x{c}x{f}x{min(top, 512)}", f"16x{c}x{f}x{top}"
    batch = {"min": "1", "opt": "1", "max": "16"}

    def shapes(x: str, key: str) -> str:
        return f"{names[0]}:{x},{names[1]}:{batch[key]}"

    return {
        "trt_engine_cache_enable": True,
        "trt_engine_cache_path": str(cache),
        "trt_profile_min_shapes": shapes(lo, "min"),
        "trt_profile_opt_shapes": shapes(opt, "opt"),
        "trt_profile_max_shapes": shapes(hi, "max"),
    }


# --- the recogniser -----------------------------------------------------------------------------------


class OnnxRecognizer:
    """Transcribes with a recog ONNX export; imports no torch.

    Args:
        path: the ``.onnx`` file written by ``recog export``.
        providers: ONNX Runtime execution providers, names or ``(name, options)`` pairs, in order of
            preference; default :func:`default_providers` (TensorRT/CUDA when a GPU is present, else CPU;
            TensorRT with :func:`tensorrt_options`: engines cached under ``~/.cache/recog/tensorrt``).
        reader: turns sources into graph inputs; default the reader that the plugin of the export's
            frontend registers (``register_readers``; the built-in ``audio`` and ``image`` plugins do).
        threads: ONNX Runtime intra-op threads (default: ``OMP_NUM_THREADS``, else 1 — one thread per process is
            fastest on a busy machine; run several processes, or pass 2 on an idle one).
        session_options: an ``onnxruntime.SessionOptions`` to use instead of the defaults
            (all graph optimisations, warnings off).
        decoder: ``"auto"`` (default), ``"greedy"``, ``"beam"`` or ``"words"``, resolved by the same rule as
            ``recog.load`` (:mod:`recog.decoders`) with the LMs that lie beside the ``.onnx`` file
            (``NAME.lm.json.gz``, ``NAME.words.lm.gz``).
        decoder_options: ``lm`` (a path; None for none) and :class:`recog.beam.BeamOptions` fields.

    Raises:
        BundleError: the file is missing, not ONNX, or not a recog export (the message names it).
    """

    def __init__(
        self,
        path: str | os.PathLike,
        providers: Sequence[Any] | None = None,
        *,
        reader: InputReader | None = None,
        threads: int | None = None,
        session_options: Any = None,
        decoder: str = "auto",
        decoder_options: dict | None = None,
    ) -> None:
        import onnxruntime as ort

        self.path = Path(path)
        if not self.path.is_file():
            raise BundleError(self.path, "no such ONNX file")
        opts = session_options if session_options is not None else default_session_options(threads)
        wanted = list(providers) if providers is not None else default_providers()
        if providers is None and TENSORRT in wanted:  # the shape profile needs the metadata: read it on CPU first
            peek = self._open(ort, opts, [CPU])
            info = OnnxModelInfo.from_props(peek.get_modelmeta().custom_metadata_map, self.path)
            wanted[wanted.index(TENSORRT)] = (TENSORRT, tensorrt_options(info))
        if any(_provider_name(p) in (CUDA, TENSORRT) for p in wanted) and hasattr(ort, "preload_dlls"):
            try:
                ort.preload_dlls()  # CUDA/cuDNN from the nvidia-* wheels, where installed
            except Exception:  # libraries from the system path are found without it
                pass
        self.session = self._open(ort, opts, wanted)
        self.info = OnnxModelInfo.from_props(self.session.get_modelmeta().custom_metadata_map, self.path)
        self._input_names = [i.name for i in self.session.get_inputs()]
        self._reader = reader
        self._decode = self._make_decoder(decoder, dict(decoder_options or {}))
        # builds this recogniser again in a worker process (recog.pool): CPU sessions made from plain arguments
        on_cpu = self.session.get_providers() == [CPU]
        self.remake: Callable[[], OnnxRecognizer] | None = functools.partial(
            OnnxRecognizer, str(self.path), [CPU], decoder=decoder, decoder_options=decoder_options
        ) if on_cpu and reader is None and session_options is None else None

    def _make_decoder(self, decoder: str, options: dict):
        from ..decoders import resolve_decoder

        self._decoder = resolve_decoder(decoder, self.info.alphabet, options, self.path)
        return self._decoder

    def _open(self, ort: Any, opts: Any, providers: list) -> Any:
        try:
            return ort.InferenceSession(str(self.path), opts, providers=providers)
        except Exception as e:  # onnxruntime raises its own pybind exception types
            raise BundleError(self.path, f"ONNX Runtime cannot load it: {str(e).strip().splitlines()[0]}") from None

    # --- properties --------------------------------------------------------
    @property
    def name(self) -> str:
        return self.info.name

    @property
    def alphabet(self):
        return self.info.alphabet

    @property
    def unit(self) -> str:
        """Positions in transcripts: ``"s"`` or ``"px"``."""
        return self.info.unit

    @property
    def providers(self) -> list[str]:
        """The providers the session actually uses (ONNX Runtime drops those that fail to load)."""
        return self.session.get_providers()

    @property
    def reader(self) -> InputReader:
        if self._reader is None:
            self._reader = reader_for(self.info)
            if self._reader is None:
                raise ModelMismatchError(
                    f"{self.path}: the torch-free runtime has no reader for the {self.info.frontend!r} frontend; "
                    "install the plugin that reads it, or pass reader= to OnnxRecognizer"
                )
        if self.info.inputs not in self._reader.kinds:
            raise ModelMismatchError(
                f"{self.path}: this export takes {self.info.inputs} input, but the {self.info.frontend} reader "
                f"produces {' or '.join(self._reader.kinds)}"
                + ("; re-export with the features in the graph (recog export --features-in-graph)"
                   if "raw" in self._reader.kinds else "")
            )
        return self._reader

    # --- the graph ---------------------------------------------------------
    def run(self, inputs: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """One forward pass.

        Args:
            inputs: raw signals ``(B, S)`` or feature maps ``(B, C, F, T)``, float32, padded.
            lengths: ``(B,)`` valid samples or frames.

        Returns:
            log_probs ``(B, T', V)``, out_lengths ``(B,)``, and frame_lengths ``(B,)`` for raw-input
            graphs (None for feature-input graphs).
        """
        feeds = {
            self._input_names[0]: np.ascontiguousarray(inputs, dtype=np.float32),
            self._input_names[1]: np.asarray(lengths, dtype=np.int64),
        }
        out = self.session.run(None, feeds)
        return out[0], out[1], (out[2] if len(out) > 2 else None)

    def _run_pieces(self, pieces: Sequence[Piece]) -> tuple[list[CTCHypothesis], np.ndarray]:
        """Pad pieces into one batch, run, decode; returns hypotheses and each piece's feature frames."""
        n = [p.data.shape[-1] for p in pieces]
        first = pieces[0].data
        batch = np.zeros((len(pieces), *first.shape[:-1], max(n)), dtype=np.float32)  # (B, S) or (B, C, F, T)
        for i, p in enumerate(pieces):
            batch[i, ..., : n[i]] = p.data
        lengths = np.asarray(n, dtype=np.int64)
        log_probs, out_lengths, frame_lengths = self.run(batch, lengths)
        frames = frame_lengths if frame_lengths is not None else lengths
        hyps = [NOTHING if silent else h for h, silent in zip(self._decode(log_probs, out_lengths), silent_items(batch))]
        return hyps, frames

    # --- transcription -----------------------------------------------------
    def transcribe(self, source: Any) -> Transcript:
        """Transcribe one input (path, bytes, array, PIL image ...); long audio is windowed and stitched."""
        return self.transcribe_batch([source])[0]  # type: ignore[return-value]

    def transcribe_batch(
        self, sources: Sequence[Any], *, batch_size: int = 16, errors: str = "raise",
        progress: Callable[[int, int, dict], None] | None = None, workers: int | str = 1,
    ) -> list[Transcript | RecogError]:
        """Transcribe many inputs, batching similar lengths together (windows of long inputs included).

        Args:
            sources: inputs in any form the reader accepts.
            batch_size: pieces per forward pass.
            errors: "raise" to raise the first input error, or "return" to put the
                :class:`RecogError` in that input's place and go on with the others.
            progress: called as ``progress(done, total, {})`` as inputs finish (a long input counts when all
                its windows are done), as :meth:`recog.Recognizer.transcribe_batch` reports it.
            workers: processes with one thread each (:mod:`recog.pool`), or ``"auto"``; needs a CPU session
                made from plain arguments.

        Returns:
            One :class:`Transcript` (or error, with ``errors="return"``) per source, in order,
            as :meth:`recog.Recognizer.transcribe_batch` gives them.
        """
        if errors not in ("raise", "return"):
            raise ValueError("errors must be 'raise' or 'return'")
        pooled = run_in_workers(
            self.remake, sources, workers,
            cannot="workers > 1 needs a CPU session made without a custom reader or session options",
            batch_size=batch_size, errors=errors, progress=progress,
        )
        if pooled is not None:
            return pooled
        reader = self.reader
        results: list[Transcript | RecogError | None] = [None] * len(sources)
        whole: dict[int, list[Piece]] = {}  # inputs read at once: batched across inputs, by length

        def report() -> None:
            if progress is not None:
                progress(sum(r is not None for r in results), len(sources), {})

        for i, src in enumerate(sources):
            try:
                got = reader.pieces(src, self.info.inputs)
                if isinstance(got, list) and got:
                    whole[i] = got
                else:  # read as it goes (a long input: memory bounded by the batch), or nothing to read
                    results[i] = self._transcribe_stream(src, got, batch_size)
                    report()
            except RecogError as e:
                if errors == "raise":
                    raise
                results[i] = e
                report()
        flat = sorted(((i, k) for i, ps in whole.items() for k in range(len(ps))),
                      key=lambda ik: whole[ik[0]][ik[1]].data.shape[-1])
        done: dict[tuple[int, int], tuple[CTCHypothesis, int]] = {}
        left = {i: len(ps) for i, ps in whole.items()}
        for b in range(0, len(flat), batch_size):
            chunk = flat[b : b + batch_size]
            hyps, frames = self._run_pieces([whole[i][k] for i, k in chunk])
            done.update((ik, (h, int(f))) for ik, h, f in zip(chunk, hyps, frames))
            for i, _ in chunk:
                left[i] -= 1
                if left[i] == 0:
                    results[i] = self._joined(sources[i], whole[i], [done[(i, k)] for k in range(len(whole[i]))])
            report()
        return results  # type: ignore[return-value]

    def _placed(self, hyp: CTCHypothesis, piece: Piece) -> list[TokenTiming]:
        return token_timings(hyp, self.info.alphabet.chars, self.info.time_stride * piece.frame_step, piece.start)

    def _joined(self, source: Any, pieces: list[Piece], decoded: list[tuple[CTCHypothesis, int]]) -> Transcript:
        """The transcript of an input from its decoded pieces (one whole piece, or pieces to stitch)."""
        if len(pieces) == 1 and pieces[0].own is None:
            (hyp, frames), piece = decoded[0], pieces[0]
            return Transcript.from_tokens(self._placed(hyp, piece), hyp.confidence, self.info.unit, source, self.name,
                                          frames * piece.frame_step, hyp.alternatives, signal=hyp is not NOTHING)
        stitcher = Stitcher(" " in self.info.alphabet.chars)
        for piece, (hyp, _) in zip(pieces, decoded):
            self._stitch(stitcher, piece, hyp)
        return stitcher.transcript(self.info.unit, source, self.name)

    def _stitch(self, stitcher: Stitcher, piece: Piece, hyp: CTCHypothesis) -> None:
        end = piece.end if piece.end is not None else math.inf
        stitcher.add(self._placed(hyp, piece), hyp.confidence, piece.start, end, piece.own,  # type: ignore[arg-type]
                     signal=hyp is not NOTHING)

    def _transcribe_stream(self, source: Any, pieces: Iterable[Piece], batch_size: int) -> Transcript:
        stitcher = Stitcher(" " in self.info.alphabet.chars)
        pending: list[Piece] = []

        def flush() -> None:
            hyps, _ = self._run_pieces(pending)
            for piece, hyp in zip(pending, hyps):
                self._stitch(stitcher, piece, hyp)
            pending.clear()

        for piece in pieces:
            pending.append(piece)
            if len(pending) >= batch_size:
                flush()
        if pending:
            flush()
        return stitcher.transcript(self.info.unit, source, self.name)

    def __repr__(self) -> str:
        return f"OnnxRecognizer({str(self.path)!r}, providers={self.providers})"
