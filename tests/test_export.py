"""Tests of recog.export: whole-recogniser ONNX graphs, features in or out of the graph, int8, metadata, CLI.

Models are built, not trained: random weights with the output layer scaled up, so every frame's
argmax has a wide margin and transcripts are not at the mercy of float rounding. Parity is stated
as a tolerance on log-probabilities over valid frames (padding included in the batches).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch
import torchaudio

from recog import Alphabet, BundleError, Features, Frontend, FrontendConfig, hookimpl
from recog.bundle import Bundle
from recog.cli import main
from recog.export import FORMAT, export_bundle, onnx_metadata
from recog.model import CTCModel, ModelConfig
from recog.plugins import get_host

TINY = dict(hidden=24, lstm_layers=2, stem_channels=(8,), stem_strides=((2, 2),), dropout=0.0)


def built_bundle(frontend: str, config: dict, in_features: int, chars: str = "abcd ", seed: int = 0, **model) -> Bundle:
    """A bundle with random weights whose output layer is scaled x30 (decisive argmax)."""
    torch.manual_seed(seed)
    alphabet = Alphabet(chars)
    cfg = ModelConfig(vocab_size=len(alphabet), in_features=in_features, **{**TINY, **model})
    net = CTCModel(cfg).eval()
    with torch.no_grad():
        net.output.weight.mul_(30.0)
        for m in net.modules():  # non-trivial BatchNorm statistics, so the export must carry them
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 2.0)
    return Bundle(cfg, alphabet, frontend, config, net.state_dict(), name=f"tiny-{frontend}", metrics={"dev": {"cer": 0.5}})


def session(path) -> ort.InferenceSession:
    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])


def max_valid_diff(a: np.ndarray, b: np.ndarray, lengths) -> float:
    return max(float(np.abs(a[i, :n] - b[i, :n]).max()) for i, n in enumerate(lengths))


# --- a frontend whose features need torch.stft (no TorchScript-ONNX symbolic) ------------------------


@dataclass(frozen=True)
class StftConfig(FrontendConfig):
    sample_rate: int = 8000  # Hz
    n_mels: int = 16  # F
    hop: int = 80  # samples per frame

    @property
    def frame_step(self) -> float:
        return self.hop / self.sample_rate


class StftFeatures(torch.nn.Module):
    """torchaudio's MelSpectrogram (complex STFT inside) + log: ``(B, S), (B,) -> (B, 1, F, T), (B,)``, S >= n_fft."""

    def __init__(self, cfg: StftConfig) -> None:
        super().__init__()
        self.hop = cfg.hop
        self.n_fft = 4 * cfg.hop
        self.mel = torchaudio.transforms.MelSpectrogram(
            cfg.sample_rate, n_fft=self.n_fft, hop_length=cfg.hop, n_mels=cfg.n_mels, center=False
        )  # no reflection padding: an item gives the same frames alone and padded in a batch

    def forward(self, raw: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        valid = torch.arange(raw.shape[1])[None, :] < lengths[:, None]  # (B, S)
        feats = torch.log(self.mel(raw * valid) + 1e-3)  # (B, F, T)
        frames = torch.div(lengths - self.n_fft, self.hop, rounding_mode="floor") + 1  # (B,)
        keep = torch.arange(feats.shape[-1])[None, :] < frames[:, None]  # (B, T)
        return (feats * keep[:, None, :])[:, None], frames


class StftFrontend(Frontend):
    name = "stft-test"
    config_class = StftConfig
    unit = "s"

    @property
    def in_features(self) -> int:
        return self.config.n_mels

    def load(self, source):
        return torch.as_tensor(source, dtype=torch.float32)

    def featurize(self, raw, *, augment=False, generator=None) -> Features:
        with torch.no_grad():
            feats, _ = self.feature_module()(raw[None], torch.tensor([raw.shape[0]]))
        return Features(feats[0], self.config.frame_step, "s")

    def feature_module(self) -> torch.nn.Module:
        return StftFeatures(self.config).eval()

    def export_info(self) -> dict:
        rate = self.config.sample_rate
        return {"geometry": {"sample_rate": rate}, "raw": f"samples at {rate} Hz", "raw_example": rate,
                "max_raw": 3 * rate, "max_frames": None}


class StftPlugin:
    @hookimpl
    def register_frontends(self, register):
        register(StftFrontend)


@pytest.fixture(scope="module")
def plugins():
    """The toy and STFT test frontends, registered for this module and removed afterwards."""
    from toyplugin import ToyPlugin

    host = get_host()
    host.register(ToyPlugin(), name="toy-export-test")
    host.register(StftPlugin(), name="stft-export-test")
    yield host
    host.unregister("toy-export-test")
    host.unregister("stft-export-test")


@pytest.fixture(scope="module")
def toy_export(plugins, tmp_path_factory):
    bundle = built_bundle("toy", {"rows": 8, "frames_per_char": 3}, 8)
    folder = tmp_path_factory.mktemp("toy")
    path = bundle.save(folder / "toy.safetensors")
    return bundle, path, export_bundle(path, folder / "toy.onnx"), export_bundle(path, folder / "toy-int8.onnx", int8=True)


# --- features in ---------------------------------------------------------------------------------


def test_feature_graph_matches_pytorch_within_1e4(toy_export):
    bundle, _, onnx_path, _ = toy_export
    model = bundle.build_model()
    sess = session(onnx_path)
    assert [i.name for i in sess.get_inputs()] == ["features", "lengths"]
    g = torch.Generator().manual_seed(3)
    for b, t in ((1, 13), (4, 57)):  # shapes other than the traced one, padded items included
        x = torch.rand(b, 1, 8, t, generator=g)  # (B, C, F, T)
        lengths = torch.tensor([t - 5 * i for i in range(b)])
        with torch.no_grad():
            ref, ref_len = model(x, lengths)
        out, out_len = sess.run(None, {"features": x.numpy(), "lengths": lengths.numpy()})
        assert np.array_equal(out_len, ref_len.numpy())
        assert max_valid_diff(out, ref.numpy(), out_len) < 1e-4


def test_metadata_describes_the_model(toy_export):
    bundle, _, onnx_path, _ = toy_export
    meta = onnx_metadata(onnx_path)
    assert meta["format"] == FORMAT
    assert meta["name"] == "tiny-toy"
    assert Alphabet.from_dict(meta["alphabet"]) == bundle.alphabet
    assert meta["frontend"] == {"name": "toy", "config": {"rows": 8, "frames_per_char": 3}}
    assert meta["time_stride"] == 2 and meta["unit"] == "s"
    assert meta["inputs"]["kind"] == "features" and meta["inputs"]["names"] == ["features", "lengths"]
    assert meta["outputs"]["names"] == ["log_probs", "out_lengths"]
    assert meta["int8"] is False and meta["exporter"]["path"] == "torchscript"
    assert meta["export_check"]["max_abs_log_prob_diff_fp32"] < 1e-4
    assert meta["metrics"] == {"dev": {"cer": 0.5}}


def test_each_layer_exports_as_one_bidirectional_lstm_with_sequence_lengths(toy_export):
    bundle, _, fp32, _ = toy_export
    nodes = onnx.load(str(fp32)).graph.node
    lstms = [n for n in nodes if n.op_type == "LSTM"]
    assert len(lstms) == bundle.model_config.lstm_layers
    for n in lstms:
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in n.attribute}
        assert attrs["direction"] == b"bidirectional" and len(n.input) >= 5 and n.input[4], n
    assert not any(n.op_type == "GatherElements" for n in nodes)  # no explicit reversals left


def test_int8_export_quantises_the_network_and_decodes_close_to_fp32(toy_export):
    bundle, _, fp32, int8 = toy_export
    ops = {n.op_type for n in onnx.load(str(int8)).graph.node}
    assert "DynamicQuantizeLSTM" in ops and "LSTM" not in ops
    assert onnx_metadata(int8)["int8"] is True
    g = torch.Generator().manual_seed(4)
    x = torch.rand(3, 1, 8, 40, generator=g)
    lengths = np.array([40, 31, 22])
    a, a_len = session(fp32).run(None, {"features": x.numpy(), "lengths": lengths})
    b, b_len = session(int8).run(None, {"features": x.numpy(), "lengths": lengths})
    assert np.array_equal(a_len, b_len)
    agree = np.mean([np.mean(a[i, :n].argmax(-1) == b[i, :n].argmax(-1)) for i, n in enumerate(a_len)])
    assert agree > 0.9, agree


def test_no_features_in_graph_gives_a_feature_graph(plugins, tmp_path):
    bundle = built_bundle("stft-test", StftConfig().to_dict(), 16)
    path = export_bundle(bundle, tmp_path / "f.onnx", features_in_graph=False)
    assert onnx_metadata(path)["inputs"]["kind"] == "features"
    assert [i.name for i in session(path).get_inputs()] == ["features", "lengths"]


# --- raw in: feature extraction inside the graph -------------------------------------------------------


def _raw_parity(bundle: Bundle, path, rate: int) -> float:
    frontend = get_host().frontend(bundle.frontend).from_config_dict(bundle.frontend_config)
    model = bundle.build_model()
    sess = session(path)
    assert [i.name for i in sess.get_inputs()] == ["raw", "lengths"]
    assert [o.name for o in sess.get_outputs()] == ["log_probs", "out_lengths", "frame_lengths"]
    rng = np.random.default_rng(5)
    worst = 0.0
    for b, seconds in ((1, 0.37), (3, 1.3)):
        n = int(rate * seconds)
        t = np.arange(n) / rate
        raw = np.stack([0.3 * np.sin(2 * np.pi * (300 + 200 * i) * t) + 0.05 * rng.standard_normal(n) for i in range(b)])
        lengths = np.array([n - i * n // 5 for i in range(b)])
        raw = (raw * (np.arange(n)[None] < lengths[:, None])).astype(np.float32)  # (B, S), zero padded
        log_probs, out_len, frame_len = sess.run(None, {"raw": raw, "lengths": lengths})
        for i in range(b):  # the reference: the frontend's own featurize, item by item, then the network
            ft = frontend.featurize(torch.from_numpy(raw[i, : lengths[i]]))
            assert frame_len[i] == ft.num_frames
            with torch.no_grad():
                ref, ref_len = model(ft.data[None], torch.tensor([ft.num_frames]))
            assert out_len[i] == ref_len[0]
            worst = max(worst, float(np.abs(log_probs[i, : out_len[i]] - ref[0].numpy()).max()))
    return worst


def test_stft_features_are_merged_from_the_dynamo_exporter_within_1e3(plugins, tmp_path):
    bundle = built_bundle("stft-test", StftConfig().to_dict(), 16)
    path = export_bundle(bundle, tmp_path / "stft.onnx")
    meta = onnx_metadata(path)
    assert meta["exporter"]["path"] == "dynamo+torchscript"  # TorchScript has no symbolic for complex STFT
    assert meta["inputs"]["kind"] == "raw" and meta["sample_rate"] == 8000 and meta["frame_step"] == 0.01
    assert meta["input_limits"] == {"raw": 24000, "features": None}  # what the frontend declared
    assert _raw_parity(bundle, path, 8000) < 1e-3


def test_audio_frontend_exports_in_one_torchscript_graph_within_1e3(tmp_path):
    if "audio" not in get_host().frontends():
        pytest.skip("the 'audio' frontend is not registered (recog_audio not installed)")
    frontend = get_host().frontend("audio")()
    bundle = built_bundle("audio", frontend.config_dict(), frontend.in_features, chars="abcdefgh '")
    path = export_bundle(bundle, tmp_path / "speech.onnx", int8=True)
    meta = onnx_metadata(path)
    assert meta["exporter"]["path"] == "torchscript" and meta["sample_rate"] == frontend.config.sample_rate
    graph = onnx.load(str(path)).graph
    fe_matmuls = [n for n in graph.node if n.name.startswith("/features/") and n.op_type == "MatMul"]
    assert fe_matmuls, "the mel filterbank stays a float MatMul under --int8"
    fp32 = export_bundle(bundle, tmp_path / "speech-fp32.onnx")
    assert _raw_parity(bundle, fp32, frontend.config.sample_rate) < 1e-3


# --- the command line ----------------------------------------------------------------------------------


def test_cli_export_writes_the_file_and_a_json_summary(toy_export, tmp_path, capsys):
    _, bundle_path, _, _ = toy_export
    out = tmp_path / "exports" / "toy.onnx"
    assert main(["export", str(bundle_path), "-o", str(out), "--no-features-in-graph"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["onnx"] == str(out) and out.is_file() and summary["inputs"] == "features"
    assert summary["int8"] is False and summary["max_abs_log_prob_diff_fp32"] < 1e-4
    assert summary["lms"] == [] and not (out.parent / "toy.lm.json.gz").exists()


def test_export_carries_the_models_lm_beside_the_onnx(toy_export, tmp_path, capsys):
    """An exported model decodes with its LM in the runtime as in PyTorch (the LM used to stay behind)."""
    import shutil

    _, bundle_path, _, _ = toy_export
    own = tmp_path / "m" / "toy.safetensors"
    own.parent.mkdir()
    shutil.copy(bundle_path, own)
    (tmp_path / "m" / "toy.lm.json.gz").write_bytes(b"lm-bytes")
    (tmp_path / "m" / "toy.words.lm.gz").write_bytes(b"word-lm-bytes")
    out = tmp_path / "exports" / "toy.int8.onnx"
    assert main(["export", str(own), "-o", str(out), "--int8", "--no-features-in-graph"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["lms"] == [str(tmp_path / "exports" / "toy.lm.json.gz"), str(tmp_path / "exports" / "toy.words.lm.gz")]
    assert (tmp_path / "exports" / "toy.lm.json.gz").read_bytes() == b"lm-bytes"
    assert (tmp_path / "exports" / "toy.words.lm.gz").read_bytes() == b"word-lm-bytes"
    # a model without a word LM any more: the stale copy beside the export goes
    (tmp_path / "m" / "toy.words.lm.gz").unlink()
    assert main(["export", str(own), "-o", str(out), "--int8", "--no-features-in-graph"]) == 0
    assert json.loads(capsys.readouterr().out)["lms"] == [str(tmp_path / "exports" / "toy.lm.json.gz")]
    assert not (tmp_path / "exports" / "toy.words.lm.gz").exists()


def test_cli_export_of_a_missing_bundle_is_a_one_line_error(tmp_path, capsys):
    assert main(["export", str(tmp_path / "nope.safetensors"), "-o", str(tmp_path / "x.onnx")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("recog: error: ") and "nope.safetensors" in err and err.count("\n") == 1
    assert not (tmp_path / "x.onnx").exists()


def test_export_of_a_foreign_file_raises_bundle_error(tmp_path):
    bad = tmp_path / "m.safetensors"
    bad.write_bytes(b"not safetensors")
    with pytest.raises(BundleError, match="m.safetensors"):
        export_bundle(bad, tmp_path / "m.onnx")
