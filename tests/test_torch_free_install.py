"""The base install is torch-free: `pip install .` (no `recog[torch]`) runs the shipped models as their int8 ONNX
exports. Built for real in a fresh virtual environment, and checked fast in this one with torch made unimportable."""

import filecmp
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SPEECH = sorted((ROOT / "samples" / "speech").glob("*.wav"))
HANDWRITING = sorted((ROOT / "samples" / "handwriting").glob("*.png"))
SPEECH_TEXTS = ["enter six two four", "j o h n", "three five two", "yes"]
HANDWRITING_TEXTS = ["hello world", "Köln 2024", "Straße"]

# runs the CLI in this interpreter with the PyTorch layer unimportable, as in an install without recog[torch]
WITHOUT_TORCH = """
import importlib.abc, sys
class NoTorch(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.partition(".")[0] in ("torch", "torchaudio", "onnx", "onnxscript"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
sys.meta_path.insert(0, NoTorch())
from recog.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _without_torch(*args):
    return subprocess.run([sys.executable, "-c", WITHOUT_TORCH, *map(str, args)], capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "OMP_NUM_THREADS": "1", "PYTHONPATH": f"{ROOT}:{ROOT / 'plugins'}"},
                          cwd=ROOT)


def _texts(out):
    assert out.returncode == 0, out.stderr
    return [line.split("\t")[1] for line in out.stdout.splitlines()]


def test_the_shipped_models_carry_their_torch_free_exports():
    from recog import resolve_model
    from recog.bundle import Bundle
    from recog.runtime import OnnxRecognizer
    from recog.runtime.model_info import runtime_export_path

    for name in ("speech", "handwriting"):
        bundle = resolve_model(name)
        export = runtime_export_path(bundle)
        assert export.is_file(), f"{export} missing: bash exports/build.sh {name}"
        info = OnnxRecognizer(export).info  # made from this very bundle, not a stale one
        assert info.metadata["metrics"] == Bundle.read_header(bundle)["metrics"], f"{export} is stale"
        linked = ROOT / "exports" / export.name  # exports/ links to the package data: the same file
        assert linked.is_symlink() and filecmp.cmp(linked, export, shallow=False)


def test_without_torch_the_default_models_transcribe_the_samples():
    assert _texts(_without_torch("transcribe", *SPEECH)) == SPEECH_TEXTS
    assert _texts(_without_torch("transcribe", *HANDWRITING)) == HANDWRITING_TEXTS
    doc = json.loads(_without_torch("transcribe", SPEECH[-1], "--format", "json").stdout)
    assert doc["model"] == "speech" and doc["words"][0]["text"] == "yes" and 0 < doc["words"][0]["end"] <= doc["extent"]


def test_without_torch_plugins_and_models_are_whole():
    plugins = _without_torch("plugins")
    assert plugins.returncode == 0 and "failed" not in plugins.stdout, plugins.stdout
    assert "PyTorch is not installed" in plugins.stdout and "recog[torch]" in plugins.stdout
    models = _without_torch("models", "--json")
    assert models.returncode == 0, models.stderr
    rows = {r["name"]: r for r in json.loads(models.stdout)}
    assert rows["speech"]["frontend"] == "audio" and "error" not in rows["speech"]
    assert rows["handwriting"]["frontend"] == "image"


def test_without_torch_a_command_that_needs_it_says_so_in_one_line(tmp_path):
    out = _without_torch("train", "--train", tmp_path / "x.jsonl", "--out", tmp_path / "run")
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "needs PyTorch" in out.stderr and "recog[torch]" in out.stderr
    align = _without_torch("align", SPEECH[-1], "yes")
    assert align.returncode == 2 and "recog align needs PyTorch" in align.stderr and "Traceback" not in align.stderr
    plot = _without_torch("transcribe", SPEECH[0], "--plot", tmp_path / "p.png")
    assert plot.returncode == 1 and "--plot needs PyTorch" in plot.stderr and "Traceback" not in plot.stderr


@pytest.fixture(scope="module")
def base_env(tmp_path_factory):
    venv = tmp_path_factory.mktemp("base-install") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = venv / "bin" / "python"
    out = subprocess.run([str(py), "-m", "pip", "install", "-q", str(ROOT)], capture_output=True, text=True)
    if out.returncode != 0 and ("No matching distribution" in out.stderr or "connection" in out.stderr.lower()):
        pytest.skip(f"no package index reachable to build the environment: {out.stderr.strip().splitlines()[-1]}")
    assert out.returncode == 0, out.stderr
    return venv


def _run(venv, *args):
    return subprocess.run([str(venv / "bin" / "recog"), *map(str, args)], capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "OMP_NUM_THREADS": "1"}, cwd=ROOT)


def test_the_base_install_has_no_torch(base_env):
    out = subprocess.run([str(base_env / "bin" / "python"), "-c", "import torch"], capture_output=True, text=True)
    assert out.returncode != 0 and "No module named 'torch'" in out.stderr


def test_the_readme_quick_start_runs_in_the_base_install(base_env):
    out = _run(base_env, "transcribe", *SPEECH, *HANDWRITING)  # the README's first command, models by input kind
    assert _texts(out) == SPEECH_TEXTS + HANDWRITING_TEXTS


def test_the_base_install_runs_an_export_by_path(base_env):
    assert _texts(_run(base_env, "transcribe", *SPEECH, "--model", "exports/speech.int8.onnx")) == SPEECH_TEXTS
    out = _run(base_env, "export", "speech", "-o", "x.onnx")
    assert out.returncode == 2 and "needs PyTorch" in out.stderr and "Traceback" not in out.stderr
    assert _run(base_env, "--help").returncode == 0
