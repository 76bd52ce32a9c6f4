"""The torch-free install of exports/README.md, built for real: a fresh virtual environment with this checkout
(`pip install --no-deps .`) and `exports/requirements.txt`, no PyTorch, transcribing the shipped exports."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def torch_free_env(tmp_path_factory):
    for name in ("speech.int8.onnx", "handwriting.int8.onnx"):
        if not (ROOT / "exports" / name).is_file():
            pytest.skip(f"exports/{name} not built (bash exports/build.sh)")
    venv = tmp_path_factory.mktemp("torch-free") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = venv / "bin" / "python"
    for args in (["--no-deps", str(ROOT)], ["-r", str(ROOT / "exports" / "requirements.txt")]):
        out = subprocess.run([str(py), "-m", "pip", "install", "-q", *args], capture_output=True, text=True)
        if out.returncode != 0 and ("No matching distribution" in out.stderr or "connection" in out.stderr.lower()):
            pytest.skip(f"no package index reachable to build the environment: {out.stderr.strip().splitlines()[-1]}")
        assert out.returncode == 0, out.stderr
    return venv


def _run(venv, *args):
    return subprocess.run([str(venv / "bin" / "recog"), *map(str, args)], capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "OMP_NUM_THREADS": "1"}, cwd=ROOT)


def test_the_install_has_no_torch(torch_free_env):
    out = subprocess.run([str(torch_free_env / "bin" / "python"), "-c", "import torch"], capture_output=True, text=True)
    assert out.returncode != 0 and "No module named 'torch'" in out.stderr


def test_it_transcribes_the_samples_with_the_shipped_exports(torch_free_env):
    speech = _run(torch_free_env, "transcribe", *sorted((ROOT / "samples" / "speech").glob("*.wav")),
                  "--model", "exports/speech.int8.onnx")
    assert speech.returncode == 0, speech.stderr
    assert [line.split("\t")[1] for line in speech.stdout.splitlines()] == [
        "enter six two four", "j o h n", "three five two", "yes"]
    hand = _run(torch_free_env, "transcribe", *sorted((ROOT / "samples" / "handwriting").glob("*.png")),
                "--model", "exports/handwriting.int8.onnx")
    assert hand.returncode == 0, hand.stderr
    assert [line.split("\t")[1] for line in hand.stdout.splitlines()] == ["hello world", "Köln 2024", "Straße"]


def test_a_command_that_needs_torch_says_so_in_one_line(torch_free_env):
    out = _run(torch_free_env, "transcribe", ROOT / "samples" / "speech" / "yes.wav")  # the default: a PyTorch bundle
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "needs PyTorch" in out.stderr and "--model exports/speech.int8.onnx" in out.stderr
    assert _run(torch_free_env, "--help").returncode == 0
