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


def test_export_cuts_silence_like_pytorch(tmp_path):
    import numpy as np
    import soundfile as sf

    from recog_tts import SpeechSynthesizer, VoiceSpec

    onnx_path = ROOT / "exports" / "speech.onnx"
    if not onnx_path.is_file():
        pytest.skip(f"{onnx_path} not built (bash exports/build.sh)")
    synth = SpeechSynthesizer(sample_rate=16000)
    gap = np.zeros(12000, np.float32)
    parts = [gap]
    for t in ("YES", "SEVEN OH TWO", "R U B O U T"):
        parts += [synth.synthesize(t, VoiceSpec("en-us", rate=150)).audio, gap]
    sf.write(tmp_path / "x.wav", np.concatenate(parts), 16000, subtype="PCM_16")
    ours = OnnxRecognizer(onnx_path, providers=["CPUExecutionProvider"], decoder="greedy").transcribe(tmp_path / "x.wav")
    theirs = recog.load("speech", decoder="greedy", device="cpu").transcribe(tmp_path / "x.wav")
    assert ours.text == theirs.text and len(ours.text.split()) >= 3
    assert [round(w.start, 2) for w in ours.words] == [round(w.start, 2) for w in theirs.words]


@pytest.mark.parametrize("kind", ["zeros", "room tone at -80 dBFS", "10 ms"])
def test_nothing_to_hear_gives_an_empty_transcript_in_both_paths(kind):
    """Silence, faint room tone and clips too short for a word are "", not made-up words, from every decoder."""
    import numpy as np

    rng = np.random.default_rng(0)
    x = {"zeros": np.zeros(30 * 16000, np.float32),
         "room tone at -80 dBFS": (rng.standard_normal(5 * 16000) * 1e-4).astype(np.float32),
         "10 ms": (rng.standard_normal(160) * 0.1).astype(np.float32)}[kind]
    for decoder in ("auto", "greedy"):
        out = recog.load("speech", decoder=decoder).transcribe((x, 16000))
        assert out.text == "" and out.words == (), (decoder, out.text)
    onnx_path = ROOT / "exports" / "speech.onnx"
    if onnx_path.is_file():
        assert OnnxRecognizer(onnx_path, providers=["CPUExecutionProvider"]).transcribe((x, 16000)).text == ""

@pytest.mark.parametrize("kind", ["white", "paper texture", "9x9 black"])
def test_a_blank_image_gives_an_empty_transcript_in_both_paths(kind):
    """Blank paper, its texture or a speck is "" (it was "e" at confidence 0.98 from the beam's length bonus)."""
    import numpy as np

    rng = np.random.default_rng(0)
    x = {"white": np.full((64, 400), 255, np.uint8),
         "paper texture": np.clip(235 + rng.normal(0, 3, (64, 400)), 0, 255).astype(np.uint8),
         "9x9 black": np.zeros((9, 9), np.uint8)}[kind]
    for decoder in ("auto", "greedy"):
        assert recog.load("handwriting", decoder=decoder).transcribe(x).text == ""
    onnx_path = ROOT / "exports" / "handwriting.onnx"
    if onnx_path.is_file():
        assert OnnxRecognizer(onnx_path, providers=["CPUExecutionProvider"]).transcribe(x).text == ""


@pytest.mark.parametrize("name", ["speech", "handwriting"])
def test_the_shipped_int8_network_is_this_model_and_kept_its_accuracy(name):
    """What `recog transcribe` runs by default: a stale or less accurate int8 export would fall back silently."""
    from recog.encoders import int8_export

    path = recog.models()[name].path
    export, why = int8_export(path, recog.Bundle.load(path))
    assert export is not None, why
    check = onnx_metadata(export)["accuracy_check"]
    assert check["n"] >= 100 and check["onnx"]["wer"] - check["torch"]["wer"] <= 0.005
    assert recog.load(name, engine="auto", decoder="greedy", device="cpu").engine == "onnx"


def test_the_runtime_works_where_torch_cannot_be_imported(tmp_path):
    """A deployment without torch (exports/README.md): torch, torchaudio and friends are made unimportable."""
    import json
    import textwrap

    speech, hand = ROOT / "exports" / "speech.onnx", ROOT / "exports" / "handwriting.onnx"
    if not (speech.is_file() and hand.is_file()):
        pytest.skip("exports not built (bash exports/build.sh)")
    samples = ROOT / "samples"
    script = textwrap.dedent(
        f"""
        import importlib.abc, json, sys

        class NoTorch(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in ("torch", "torchaudio", "torchvision", "onnxscript"):
                    raise ModuleNotFoundError(f"No module named {{name!r}} (blocked: a torch-free deployment)")
                return None

        sys.meta_path.insert(0, NoTorch())
        from recog.runtime import OnnxRecognizer
        a = OnnxRecognizer({str(speech)!r}).transcribe_batch(sorted(map(str, __import__("pathlib").Path({str(samples / "speech")!r}).glob("*.wav"))))
        b = OnnxRecognizer({str(hand)!r}).transcribe_batch(sorted(map(str, __import__("pathlib").Path({str(samples / "handwriting")!r}).glob("*.png"))))
        print(json.dumps([t.text for t in a + b]))
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    texts = json.loads(done.stdout.strip().splitlines()[-1])
    reference = [row["text"] for row in map(json.loads, (samples / "speech" / "manifest.jsonl").read_text().splitlines())]
    assert len(texts) >= 4 and all(texts)
    assert {t.lower() for t in reference} <= {t.lower() for t in texts}  # the speech samples read exactly
