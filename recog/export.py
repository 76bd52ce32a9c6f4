"""ONNX export: the CTC network alone, or a whole recogniser as one self-describing graph.

Shapes: B batch, S raw samples (or columns), C channels, F feature rows, T frames, T' output
frames, V vocabulary (blank = 0).

Two graphs can be written:

* **features in** (:func:`export_encoder_onnx`, and :func:`export_bundle` when features stay outside):
  ``features (B, C, F, T)`` float32 + ``lengths (B,)`` int64 -> ``log_probs (B, T', V)`` + ``out_lengths (B,)``.
* **raw in** (:func:`export_bundle` when the frontend offers :meth:`Frontend.feature_module`):
  ``raw (B, S)`` float32 + ``lengths (B,)`` int64 -> ``log_probs``, ``out_lengths`` and
  ``frame_lengths (B,)`` (feature frames per item, for timings and extents).

Batch and time axes are dynamic. The network always goes through the TorchScript-based exporter
(the dynamo exporter of the whole network fails on a second shape); each bidirectional layer
becomes one ONNX ``LSTM`` node with ``sequence_lens``, which reverses every item within its own
length as :func:`recog.model.reverse_padded` does (135 nodes instead of 336 for the handwriting
model; 6-8% faster on CPU at batch 1). A feature module is first
exported together with the network by the same exporter; if that fails (``torch.stft`` has no
TorchScript-ONNX symbolic) or gives a graph that disagrees with PyTorch, the feature module is
exported alone with the dynamo exporter and the two graphs are joined with
:func:`onnx.compose.merge_models`. Every export is checked against PyTorch on shapes other than
the one it was traced with before it is written.

The model's ``metadata_props`` hold, one JSON document per key (see :data:`FORMAT`): ``format``,
``name``, ``alphabet`` (:meth:`Alphabet.to_dict`), ``frontend`` (name and config), ``model``
(the :class:`ModelConfig`), ``time_stride``, ``frame_step`` and ``unit``, ``sample_rate`` or
``line_height`` where the frontend has one, ``inputs`` and ``outputs`` (names, shapes, meaning),
``int8``, ``exporter``, ``export_check`` (measured max difference to PyTorch), ``metrics``.

From the command line: ``recog export MODEL -o exports/NAME.onnx [--int8] [--no-features-in-graph]``.
"""

from __future__ import annotations

import copy
import io
import json
import os
import sys
import tempfile
import warnings
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from pathlib import Path
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from torch import nn

from .bundle import Bundle
from .atomic import atomic_write
from .errors import ExportError
from .model import BiLSTMEncoder, CTCModel, reverse_padded
from .runtime.model_info import FORMAT  # "recog-onnx/1", shared with the torch-free runtime

__all__ = [
    "export_lm",
    "FORMAT",
    "INPUT_NAMES",
    "OUTPUT_NAMES",
    "RAW_INPUT_NAMES",
    "RAW_OUTPUT_NAMES",
    "ExportError",
    "export_encoder_onnx",
    "export_bundle",
    "onnx_metadata",
]

INPUT_NAMES = ["features", "lengths"]
OUTPUT_NAMES = ["log_probs", "out_lengths"]
RAW_INPUT_NAMES = ["raw", "lengths"]
RAW_OUTPUT_NAMES = ["log_probs", "out_lengths", "frame_lengths"]
OPSET = 18  # the dynamo exporter's lowest opset; both sub-graphs of a merged export must share it
FEATURE_SCOPE = "features"  # name prefix of the feature-extraction nodes (kept in float by --int8)
_CHECK_TOL = {"features": 1e-3, "raw": 2e-2}  # max |log-prob difference| an export may show on random input
_INT8_OPS = ["MatMul", "Gemm", "LSTM"]  # weights quantised by --int8; the conv stem stays float (small, and ConvInteger is slow)


# --- the graphs ----------------------------------------------------------------------------------

_ONNX_GATES = [0, 3, 1, 2]  # PyTorch packs LSTM gates as i, f, g, o; ONNX as i, o, f, c (c = g)


def _onnx_gates(w: torch.Tensor) -> torch.Tensor:
    """``(4H, ...)`` PyTorch gate blocks -> ONNX order."""
    return torch.cat([w.chunk(4, 0)[k] for k in _ONNX_GATES], 0)


class _BiLSTMLayer(torch.autograd.Function):
    """One bidirectional layer: PyTorch's two unidirectional LSTMs in eager mode, one ONNX ``LSTM`` node on export.

    The ONNX node runs both directions with ``sequence_lens``, so the reverse direction starts at
    each item's last valid frame, exactly like :func:`reverse_padded` (padded frames come out as
    zeros; nothing reads them). This replaces two LSTM nodes and four index gathers per layer.
    """

    @staticmethod
    def forward(ctx, x, lengths, w, r, b, fwd, bwd, hidden):  # noqa: ARG004 - the weights are for symbolic
        y_f, _ = fwd(x)  # (B, T, H)
        y_b, _ = bwd(reverse_padded(x, lengths))  # (B, T, H), reversed time
        return torch.cat([y_f, reverse_padded(y_b, lengths)], dim=-1)  # (B, T, 2H)

    @staticmethod
    def symbolic(g, x, lengths, w, r, b, fwd, bwd, hidden):  # noqa: ARG004
        xt = g.op("Transpose", x, perm_i=[1, 0, 2])  # (T, B, D)
        seq = g.op("Cast", lengths, to_i=6)  # int32 sequence_lens
        y, _, _ = g.op("LSTM", xt, w, r, b, seq, hidden_size_i=hidden, direction_s="bidirectional", outputs=3)
        y = g.op("Transpose", y, perm_i=[2, 0, 1, 3])  # (T, 2, B, H) -> (B, T, 2, H)
        shape = g.op("Constant", value_t=torch.tensor([0, 0, -1], dtype=torch.int64))
        return g.op("Reshape", y, shape)  # (B, T, 2H)


class _ExportEncoder(nn.Module):
    """Wraps :class:`BiLSTMEncoder` (shared weights) so each layer exports as one bidirectional ONNX LSTM."""

    def __init__(self, encoder: BiLSTMEncoder) -> None:
        super().__init__()
        self.layers = list(zip(encoder.forward_layers, encoder.backward_layers))
        self.hidden = encoder.forward_layers[0].hidden_size
        for i, (fwd, bwd) in enumerate(self.layers):
            d = [fwd, bwd]
            self.register_buffer(f"w{i}", torch.stack([_onnx_gates(m.weight_ih_l0.detach()) for m in d]))  # (2, 4H, D)
            self.register_buffer(f"r{i}", torch.stack([_onnx_gates(m.weight_hh_l0.detach()) for m in d]))  # (2, 4H, H)
            self.register_buffer(f"b{i}", torch.stack([torch.cat([_onnx_gates(m.bias_ih_l0.detach()),
                                                                  _onnx_gates(m.bias_hh_l0.detach())]) for m in d]))  # (2, 8H)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        for i, (fwd, bwd) in enumerate(self.layers):  # eval only: no dropout between layers
            x = _BiLSTMLayer.apply(x, lengths, getattr(self, f"w{i}"), getattr(self, f"r{i}"), getattr(self, f"b{i}"),
                                   fwd, bwd, self.hidden)
        return x


def _for_export(model: CTCModel) -> CTCModel:
    """A copy of ``model`` (eval mode, no grad) whose encoder exports as fused bidirectional LSTM nodes."""
    twin = copy.deepcopy(model).requires_grad_(False)  # the tracer refuses grad-requiring weights inside a Function
    twin.encoder = _ExportEncoder(twin.encoder)
    return twin.eval()



class _RawRecognizer(nn.Module):
    """Feature module + network: ``raw (B, S), lengths (B,) -> log_probs (B, T', V), out_lengths, frame_lengths``."""

    def __init__(self, features: nn.Module, model: CTCModel) -> None:
        super().__init__()
        self.features = features  # attribute name = FEATURE_SCOPE, so its ONNX nodes are named /features/...
        self.model = model

    def forward(self, raw: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        feats, frame_lengths = self.features(raw, lengths)  # (B, C, F, T), (B,)
        log_probs, out_lengths = self.model(feats, frame_lengths)  # (B, T', V), (B,)
        return log_probs, out_lengths, frame_lengths


@contextmanager
def _quiet():
    """Silence Python warnings and prints, and the C++ output of torch's exporters (they dump whole graphs on failure)."""
    sink = io.StringIO()
    sys.stdout.flush(), sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    try:
        with tempfile.TemporaryFile() as devnull, warnings.catch_warnings(), redirect_stdout(sink), redirect_stderr(sink):
            warnings.simplefilter("ignore")
            os.dup2(devnull.fileno(), 1)
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        for fd, copy in zip((1, 2), saved):
            os.dup2(copy, fd)
            os.close(copy)


def _torchscript_proto(module: nn.Module, args: tuple, inputs: list[str], outputs: list[str], axes: dict, opset: int):
    """Export with the TorchScript-based exporter and return the ``onnx.ModelProto``."""
    import onnx

    buf = io.BytesIO()
    with _quiet():
        torch.onnx.export(
            module, args, buf, input_names=inputs, output_names=outputs, dynamic_axes=axes, opset_version=opset, dynamo=False
        )
    return onnx.load_from_string(buf.getvalue())


_FEATURE_AXES = {"features": {0: "B", 3: "T"}, "lengths": {0: "B"}, "log_probs": {0: "B", 1: "T_out"}, "out_lengths": {0: "B"}}
_RAW_AXES = {
    "raw": {0: "B", 1: "S"},
    "lengths": {0: "B"},
    "log_probs": {0: "B", 1: "T_out"},
    "out_lengths": {0: "B"},
    "frame_lengths": {0: "B"},
}


def _network_proto(model: CTCModel, opset: int):
    cfg = model.config
    t = 8 * cfg.time_stride
    x = torch.randn(2, cfg.in_channels, cfg.in_features, t)  # (B, C, F, T)
    lengths = torch.tensor([t, t // 2])
    return _torchscript_proto(_for_export(model), (x, lengths), INPUT_NAMES, OUTPUT_NAMES, _FEATURE_AXES, opset)


def _raw_example(n: int, batch: int = 2, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    raw = 0.1 * torch.randn(batch, n, generator=g)  # (B, S)
    lengths = torch.tensor([n - (i * n) // (2 * batch) for i in range(batch)])  # the first item unpadded
    return raw, lengths


def _raw_proto_torchscript(whole: _RawRecognizer, n: int, opset: int):
    fused = _RawRecognizer(whole.features, _for_export(whole.model)).eval()
    return _torchscript_proto(fused, _raw_example(n), RAW_INPUT_NAMES, RAW_OUTPUT_NAMES, _RAW_AXES, opset)


def _raw_proto_merged(whole: _RawRecognizer, n: int, opset: int):
    """Feature module through the dynamo exporter, network through TorchScript, joined into one graph."""
    import onnx
    from onnx import compose

    dyn = torch.export.Dim.DYNAMIC
    with _quiet():
        program = torch.onnx.export(
            whole.features,
            _raw_example(n),
            input_names=["raw", "lengths"],
            output_names=["features", "frame_lengths"],
            dynamic_shapes=({0: dyn, 1: dyn}, {0: dyn}),
            opset_version=opset,
            dynamo=True,
        )
    fe = program.model_proto
    net = _network_proto(whole.model, opset)
    ir = max(fe.ir_version, net.ir_version)
    fe.ir_version = net.ir_version = ir
    fe = compose.add_prefix(fe, f"{FEATURE_SCOPE}/", rename_inputs=False)
    net = compose.add_prefix(net, "net/", rename_outputs=False)
    fe_lengths = f"{FEATURE_SCOPE}/frame_lengths"
    merged = compose.merge_models(
        fe,
        net,
        io_map=[(f"{FEATURE_SCOPE}/features", "net/features"), (fe_lengths, "net/lengths")],
        outputs=["log_probs", "out_lengths", fe_lengths],
    )
    _rename_value(merged.graph, fe_lengths, "frame_lengths")
    by_name = {o.name: o for o in merged.graph.output}
    ordered = [by_name[n] for n in RAW_OUTPUT_NAMES]  # merge_models lists the first graph's outputs first
    del merged.graph.output[:]
    merged.graph.output.extend(ordered)
    merged.graph.name = "recog"
    opsets = {o.domain: o.version for o in merged.opset_import}  # merge_models may list a domain twice
    del merged.opset_import[:]
    merged.opset_import.extend(onnx.helper.make_opsetid(d, v) for d, v in opsets.items())
    del merged.metadata_props[:]  # torch.export's bookkeeping; ours is added later
    onnx.checker.check_model(merged)
    return merged


def _rename_value(graph, old: str, new: str) -> None:
    for node in graph.node:
        node.input[:] = [new if v == old else v for v in node.input]
        node.output[:] = [new if v == old else v for v in node.output]
    for v in list(graph.input) + list(graph.output) + list(graph.value_info):
        if v.name == old:
            v.name = new


# --- checks ------------------------------------------------------------------------------------


def _max_diff(proto, module: nn.Module, cases: list[tuple[torch.Tensor, torch.Tensor]], names: list[str]) -> float:
    """Max |log-prob difference| over valid frames between ``proto`` on ONNX Runtime (CPU) and ``module``."""
    import onnxruntime as ort

    sess = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
    worst = 0.0
    for x, lengths in cases:
        with torch.inference_mode():
            ref, ref_len = module(x, lengths)[:2]  # (B, T', V), (B,)
        out, out_len = sess.run(None, {names[0]: x.numpy(), names[1]: lengths.numpy()})[:2]
        if out.shape != tuple(ref.shape) or not np.array_equal(out_len, ref_len.numpy()):
            return float("inf")
        for i, n in enumerate(out_len):
            d = np.abs(out[i, :n] - ref[i, :n].numpy())
            worst = max(worst, float(d.max()) if d.size else 0.0, 0.0 if np.isfinite(d).all() else float("inf"))
    return worst


def _feature_cases(model: CTCModel) -> list[tuple[torch.Tensor, torch.Tensor]]:
    cfg = model.config
    g = torch.Generator().manual_seed(1)
    cases = []
    for b, t in ((1, 5 * cfg.time_stride + 3), (3, 23 * cfg.time_stride + 1)):
        x = torch.randn(b, cfg.in_channels, cfg.in_features, t, generator=g)  # (B, C, F, T)
        cases.append((x, torch.tensor([t - 7 * i for i in range(b)])))
    return cases


# --- the bundle export -------------------------------------------------------------------------


def _frontend_geometry(frontend: Any) -> dict:
    """The frontend's facts for the metadata: unit, frame step and what it declares (:meth:`Frontend.export_info`)."""
    geo = {"unit": frontend.unit, "frame_step": getattr(frontend.config, "frame_step", None)}
    return {**geo, **frontend.export_info()["geometry"]}


def _io_spec(kind: str, cfg, what: str) -> tuple[dict, dict]:
    if kind == "raw":
        inputs = {
            "kind": "raw",
            "names": RAW_INPUT_NAMES,
            "raw": f"(B, S) float32: padded raw signals ({what}); values past an item's length are ignored",
            "lengths": "(B,) int64: valid samples per item",
        }
    else:
        inputs = {
            "kind": "features",
            "names": INPUT_NAMES,
            "features": f"(B, {cfg.in_channels}, {cfg.in_features}, T) float32: padded feature maps from the frontend",
            "lengths": "(B,) int64: valid frames per item",
        }
    outputs = {
        "names": RAW_OUTPUT_NAMES if kind == "raw" else OUTPUT_NAMES,
        "log_probs": f"(B, T', {cfg.vocab_size}) float32: CTC log-probabilities, blank = 0, T' = ceil(T / time_stride)",
        "out_lengths": "(B,) int64: valid output frames per item",
    }
    if kind == "raw":
        outputs["frame_lengths"] = "(B,) int64: feature frames per item (extent = frame_lengths * frame_step)"
    return inputs, outputs


def _load_bundle(bundle_or_path: Bundle | str | os.PathLike) -> tuple[Bundle, str]:
    if isinstance(bundle_or_path, Bundle):
        return bundle_or_path, f"<bundle {bundle_or_path.name}>"
    from .api import resolve_model

    path = resolve_model(bundle_or_path)
    return Bundle.load(path), str(path)


def export_lm(bundle_or_path: str | os.PathLike, onnx_path: str | os.PathLike) -> list[Path]:
    """Copy a model's own language models (``NAME.lm.json.gz``, ``NAME.words.lm.gz`` beside its bundle) to where
    the runtime looks for them beside an export: ``exports/speech.onnx`` -> ``exports/speech.lm.json.gz`` ...

    Returns the copies (none when the model ships no LM). A stale LM of a kind the model does not ship is removed,
    so the runtime never decodes with another model's LM.
    """
    from .api import resolve_model
    from .decoders import CHAR_SUFFIX, WORDS_SUFFIX, own_lms

    onnx_path = Path(onnx_path)
    stem = onnx_path.name.split(".")[0]
    own = own_lms(resolve_model(bundle_or_path))
    copies = []
    for kind, suffix in (("beam", CHAR_SUFFIX), ("words", WORDS_SUFFIX)):
        target = onnx_path.with_name(stem + suffix)
        if kind not in own:
            target.unlink(missing_ok=True)
            continue
        if target.resolve() != own[kind].resolve():  # an export beside its own bundle has them already
            data = own[kind].read_bytes()
            atomic_write(target, lambda tmp, data=data: tmp.write_bytes(data))
        copies.append(target)
    return copies


def export_bundle(
    bundle_or_path: Bundle | str | os.PathLike,
    out: str | os.PathLike,
    *,
    int8: bool = False,
    features_in_graph: bool = True,
    opset: int = OPSET,
    check: str | os.PathLike | None = None,
    progress: Callable[[int, int, dict], None] | None = None,
) -> Path:
    """Write a whole recogniser as one ONNX graph with dynamic batch and time/width axes.

    Args:
        bundle_or_path: a :class:`Bundle`, a bundle path, or a registered model name.
        out: the ``.onnx`` file to write (folders are created; written atomically).
        int8: quantise MatMul/Gemm/LSTM weights to int8 (dynamic quantisation); feature
            extraction stays float.
        features_in_graph: put feature extraction in the graph (input ``raw``) where the frontend
            offers :meth:`Frontend.feature_module`; otherwise, or if False, the input is ``features``.
        opset: ONNX opset (at least 18 when a merged graph is needed).
        check: a corpus (manifest, PAGE/ALTO folder ...) to transcribe through PyTorch and through the
            export (greedy); the WER/CER of both go in the metadata as ``accuracy_check``, which the
            recogniser's ``"auto"`` engine reads before it runs an int8 export (:mod:`recog.encoders`).
        progress: called as ``progress(done, total, {"step": ...})`` as each step ends (export, compare with
            PyTorch, quantise, accuracy check, write).

    Returns:
        The path written.

    Raises:
        BundleError, PluginError: unreadable bundle, frontend not installed.
        ExportError: no exporter produced a graph that matches PyTorch.
    """
    import onnx

    from .plugins import get_host

    steps = ["export", "compare"] + (["quantise"] if int8 else []) + (["accuracy check"] if check is not None else []) + ["write"]

    def step(name: str) -> None:
        if progress is not None:
            progress(steps.index(name) + 1, len(steps), {"step": name})

    bundle, source = _load_bundle(bundle_or_path)
    model = bundle.build_model(source)
    frontend = get_host().frontend(bundle.frontend).from_config_dict(bundle.frontend_config)
    fm = frontend.feature_module() if features_in_graph else None
    cfg = model.config
    geo = _frontend_geometry(frontend)
    info = frontend.export_info()
    tried: list[str] = []
    if fm is None:
        kind, exporter = "features", "torchscript"
        proto = _network_proto(model, opset)
        diff = _max_diff(proto, model, _feature_cases(model), INPUT_NAMES)
    else:
        kind = "raw"
        whole = _RawRecognizer(fm.eval(), model).eval()
        n = int(info["raw_example"])  # e.g. one second of audio
        cases = [_raw_example(n // 3 + 17, batch=1, seed=1), _raw_example(2 * n + 123, batch=3, seed=2)]
        proto, exporter, diff = None, "", float("inf")
        for exporter, build in (("torchscript", _raw_proto_torchscript), ("dynamo+torchscript", _raw_proto_merged)):
            try:
                proto = build(whole, n, opset)
            except Exception as e:  # each exporter fails in its own way (unsupported op, guard, checker)
                tried.append(f"{exporter}: {type(e).__name__}: {str(e).strip().splitlines()[0] if str(e).strip() else ''}")
                continue
            diff = _max_diff(proto, whole, cases, RAW_INPUT_NAMES)
            if diff <= _CHECK_TOL[kind]:
                break
            tried.append(f"{exporter}: log-probs differ from PyTorch by {diff:.3g}")
        if proto is None:
            raise ExportError(f"{source}: no exporter could export the {bundle.frontend} feature module ({'; '.join(tried)})")
    step("export")
    step("compare")
    if not diff <= _CHECK_TOL[kind]:
        raise ExportError(
            f"{source}: the exported graph disagrees with PyTorch (max log-prob difference {diff:.3g}, "
            f"tolerance {_CHECK_TOL[kind]}){'; ' + '; '.join(tried) if tried else ''}"
        )
    inputs, outputs = _io_spec(kind, cfg, info["raw"])
    meta = {
        "format": FORMAT,
        "name": bundle.name,
        "alphabet": bundle.alphabet.to_dict(),
        "frontend": {"name": bundle.frontend, "config": bundle.frontend_config},
        "model": cfg.to_dict(),
        "time_stride": cfg.time_stride,
        **geo,
        "inputs": inputs,
        "outputs": outputs,
        "input_limits": {"raw": info["max_raw"], "features": info["max_frames"]},
        "int8": bool(int8),
        "exporter": {"path": exporter, "opset": opset, "torch": torch.__version__, "onnx": onnx.__version__},
        "export_check": {"max_abs_log_prob_diff_fp32": diff, "input": "random noise, two shapes"},
        "metrics": bundle.metrics,
    }
    out = Path(out)

    def write(target: Path) -> None:
        with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
            fp32 = Path(tmp) / "fp32.onnx"
            onnx.save(proto, str(fp32))
            final = fp32
            if int8:
                final = Path(tmp) / "int8.onnx"
                _quantize(fp32, final)
                step("quantise")
            if check is not None:
                meta["accuracy_check"] = _accuracy_check(bundle, source, final, kind, check)
                step("accuracy check")
            _write_metadata(final, meta)
            os.replace(final, target)
            step("write")

    return atomic_write(out, write)


def _accuracy_check(bundle: Bundle, source: Any, graph: Path, kind: str, corpus: str | os.PathLike) -> dict:
    """Greedy WER/CER of the PyTorch network and of the exported ``graph`` on ``corpus``."""
    from .corpus import read_corpus
    from .encoders import OnnxEncoder
    from .metrics import error_counts
    from .recognizer import Recognizer
    from .runtime import OnnxRecognizer

    utts = read_corpus(corpus)
    paths = [u.path for u in utts]
    ref = Recognizer.from_bundle(bundle, decoder="greedy", device="cpu")
    if kind == "features":
        ours = Recognizer.from_bundle(bundle, decoder="greedy", device="cpu")
        ours.encoder = OnnxEncoder(graph)
    else:
        ours = OnnxRecognizer(graph, providers=["CPUExecutionProvider"], decoder="greedy")
    refs = [ref.alphabet.normalize(u.text) for u in utts]
    scores = {}
    for engine, rec in (("torch", ref), ("onnx", ours)):
        counts = error_counts(refs, [t.text for t in rec.transcribe_batch(paths)])
        scores[engine] = {"wer": round(counts.wer, 5), "cer": round(counts.cer, 5)}
    return {"manifest": Path(corpus).name, "n": len(utts), "decoder": "greedy", **scores}


def _quantize(src: Path, dst: Path) -> None:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    graph = onnx.load(str(src)).graph
    keep_float = [n.name for n in graph.node if n.name.lstrip("/").startswith(FEATURE_SCOPE + "/")]
    with _quiet():
        quantize_dynamic(
            str(src), str(dst), op_types_to_quantize=_INT8_OPS, nodes_to_exclude=keep_float, weight_type=QuantType.QInt8,
            per_channel=True,
        )


def _write_metadata(path: Path, meta: dict) -> None:
    import onnx

    proto = onnx.load(str(path))
    del proto.metadata_props[:]
    for k, v in meta.items():
        entry = proto.metadata_props.add()
        entry.key, entry.value = k, json.dumps(v, ensure_ascii=False)
    proto.producer_name = "recog"
    onnx.save(proto, str(path))


def onnx_metadata(path: str | os.PathLike) -> dict:
    """The ``metadata_props`` of an ONNX file, JSON values decoded (plain strings kept as they are)."""
    import onnx

    proto = onnx.load(str(path), load_external_data=False)
    meta = {}
    for p in proto.metadata_props:
        try:
            meta[p.key] = json.loads(p.value)
        except json.JSONDecodeError:
            meta[p.key] = p.value
    return meta


# --- the network alone ---------------------------------------------------------------------------


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
    was_training = model.training
    model.eval()
    try:
        proto = _network_proto(model, opset)
    finally:
        model.train(was_training)
    onnx.save(proto, str(path))
    if metadata:
        _write_metadata(path, metadata)
    return path
