"""The int8 ONNX network in place of the PyTorch one (recog.encoders): used only when it is this model's and kept
its accuracy; everything else (reading, decoding, stitching) is the recogniser's own."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
import torch
from PIL import Image, ImageDraw

import recog
from recog import Alphabet, ConfigError
from recog.bundle import Bundle
from recog.encoders import int8_export_path
from recog.export import _write_metadata, export_bundle, onnx_metadata
from recog.model import CTCModel, ModelConfig
from recog.plugins import get_host

TINY = dict(hidden=24, lstm_layers=2, stem_channels=(8,), stem_strides=((2, 2),), dropout=0.0)


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    """A tiny handwriting bundle (random weights, decisive output layer) and a manifest of drawn lines."""
    if "image" not in get_host().frontends():
        pytest.skip("the image frontend is not installed")
    torch.manual_seed(0)
    folder = tmp_path_factory.mktemp("engine")
    frontend = get_host().frontend("image")()
    alphabet = Alphabet("abcdefgh -")
    net = CTCModel(ModelConfig(vocab_size=len(alphabet), in_features=frontend.in_features, **TINY)).eval()
    with torch.no_grad():
        net.output.weight.mul_(30.0)
    bundle = Bundle(net.config, alphabet, "image", frontend.config_dict(), net.state_dict(), name="tiny",
                    metrics={"dev": {"cer": 0.5}})
    bundle.save(folder / "tiny.safetensors")
    rng = np.random.default_rng(0)
    rows = []
    for i in range(6):
        im = Image.new("L", (200 + 40 * i, 48), 235)
        d = ImageDraw.Draw(im)
        for x in range(10, im.width - 20, int(rng.integers(8, 20))):
            d.line([(x, 12), (x + 6, 36)], fill=20, width=3)
        im.save(folder / f"l{i}.png")
        rows.append({"path": f"l{i}.png", "text": "abc def"})
    (folder / "lines.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return folder


def _texts(rec, folder):
    return [t.text for t in rec.transcribe_batch([folder / f"l{i}.png" for i in range(6)])]


def test_auto_runs_the_checked_int8_export_and_reads_as_pytorch_does(model_dir):
    bundle = model_dir / "tiny.safetensors"
    assert recog.load(bundle, engine="auto", decoder="greedy").engine == "torch"  # nothing beside it yet
    with pytest.raises(ConfigError, match="no int8 export"):
        recog.load(bundle, engine="onnx", decoder="greedy")
    export_bundle(bundle, int8_export_path(bundle), int8=False, features_in_graph=False,
                  check=model_dir / "lines.jsonl")
    check = onnx_metadata(int8_export_path(bundle))["accuracy_check"]
    assert check["n"] == 6 and check["manifest"] == "lines.jsonl" and check["onnx"] == check["torch"]
    fast = recog.load(bundle, engine="auto", decoder="greedy")
    slow = recog.load(bundle, engine="torch", decoder="greedy")
    assert (fast.engine, slow.engine) == ("onnx", "torch")
    assert _texts(fast, model_dir) == _texts(slow, model_dir) and any(_texts(fast, model_dir))
    report = recog.evaluate(model_dir / "lines.jsonl", fast)
    assert report.cer == pytest.approx(check["onnx"]["cer"], abs=1e-5)


def test_a_stale_unchecked_or_less_accurate_export_is_not_used(model_dir, tmp_path):
    bundle = tmp_path / "tiny.safetensors"
    bundle.write_bytes((model_dir / "tiny.safetensors").read_bytes())
    export = int8_export_path(bundle)
    export_bundle(bundle, export, int8=False, features_in_graph=False)  # no --check
    assert recog.load(bundle, engine="auto", decoder="greedy").engine == "torch"
    with pytest.raises(ConfigError, match="never checked"):
        recog.load(bundle, engine="onnx", decoder="greedy")
    meta = onnx_metadata(export)
    meta["accuracy_check"] = {"manifest": "x.jsonl", "n": 9, "decoder": "greedy",
                              "torch": {"wer": 0.10, "cer": 0.05}, "onnx": {"wer": 0.12, "cer": 0.05}}
    _write_metadata(export, meta)
    with pytest.raises(ConfigError, match=r"less accurate than the PyTorch network on x.jsonl \(WER \+2.00"):
        recog.load(bundle, engine="onnx", decoder="greedy")
    meta["accuracy_check"]["onnx"]["wer"] = 0.10
    meta["metrics"] = {"dev": {"cer": 0.4}}  # made from another version of the model
    _write_metadata(export, meta)
    assert recog.load(bundle, engine="auto", decoder="greedy").engine == "torch"
    with pytest.raises(ConfigError, match="stale"):
        recog.load(bundle, engine="onnx", decoder="greedy")
    with pytest.raises(ConfigError, match="engine must be one of"):
        recog.load(bundle, engine="fast")


def test_cli_uses_the_export_by_default_and_torch_on_request(model_dir):
    manifest, bundle = model_dir / "lines.jsonl", model_dir / "tiny.safetensors"
    if not int8_export_path(bundle).is_file():
        export_bundle(bundle, int8_export_path(bundle), int8=False, features_in_graph=False, check=manifest)
    outs = []
    for engine in ([], ["--engine", "torch"]):
        done = subprocess.run([sys.executable, "-m", "recog", "eval", str(manifest), "--model", str(bundle),
                               "--decoder", "greedy", "--json", *engine], capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        outs.append(json.loads(done.stdout))
    assert outs[0]["cer"] == outs[1]["cer"] and outs[0]["n"] == 6


def test_export_reports_its_steps(model_dir, tmp_path):
    seen = []
    export_bundle(model_dir / "tiny.safetensors", tmp_path / "t.onnx", int8=True, features_in_graph=False,
                  check=model_dir / "lines.jsonl", progress=lambda d, t, i: seen.append((d, t, i["step"])))
    assert seen == [(1, 5, "export"), (2, 5, "compare"), (3, 5, "quantise"), (4, 5, "accuracy check"), (5, 5, "write")]
