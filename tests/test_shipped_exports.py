"""The committed ONNX exports are the shipped models: same transcripts as the PyTorch path on the test splits."""

import subprocess
import sys
from pathlib import Path

import pytest

import recog
from recog.data import read_manifest
from recog.export import onnx_metadata
from recog.runtime import OnnxRecognizer

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name,split", [("speech", "an4_test"), ("handwriting", "dhsd_test")])
def test_export_transcripts_equal_pytorch_on_the_test_split(name, split, shared_data, tmp_path):
    onnx_path = ROOT / "exports" / f"{name}.onnx"
    if not onnx_path.is_file():
        pytest.skip(f"{onnx_path} not built (bash exports/build.sh)")
    subprocess.run([sys.executable, str(ROOT / "bench" / "splits.py"), "--data", str(shared_data), "--out", str(tmp_path)],
                   check=True, capture_output=True)
    paths = [u.path for u in read_manifest(tmp_path / f"{split}.jsonl")]
    bundle_head = recog.Bundle.read_header(recog.models()[name].path)
    assert onnx_metadata(onnx_path)["metrics"] == bundle_head["metrics"], "export is stale: rerun exports/build.sh"
    ours = OnnxRecognizer(onnx_path, providers=["CPUExecutionProvider"], decoder="greedy").transcribe_batch(paths)
    theirs = recog.load(name, decoder="greedy", device="cpu").transcribe_batch(paths)
    differ = [(str(p), a.text, b.text) for p, a, b in zip(paths, ours, theirs) if a.text != b.text]
    assert not differ, differ[:5]
    assert sum(len(t.text) for t in ours) > 3 * len(paths)  # real transcripts, not empty strings
