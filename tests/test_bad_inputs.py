"""One strictness: every bad input gets the same outcome from the CLI, the Python API and the ONNX runtime.

Each case is generated here (nothing shipped). An outcome is either the error class and its one-line
message naming the file, or an empty transcript (inputs with nothing to read). The CLI is run once per
input kind with all the cases and must print, per file, the API's message; the runtime (the shipped
exports, torch-free readers registered by the plugins) must raise the same class with the same message.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from PIL import Image

import recog
from recog.runtime import OnnxRecognizer

ROOT = Path(__file__).resolve().parents[1]
EXPORTS = ROOT / "exports"


def _tone(seconds: float, rate: int = 16000) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (0.3 * np.sin(2 * np.pi * 440 * t) * (np.sin(2 * np.pi * 3 * t) > 0)).astype(np.float32)


def _audio_cases(d: Path) -> dict[str, str]:
    """file name -> expected outcome: an error class name, or "" for an empty transcript."""
    sf.write(d / "half.wav", _tone(1.0), 16000, subtype="PCM_16")
    data = (d / "half.wav").read_bytes()
    (d / "half.wav").write_bytes(data[: len(data) // 2])
    (d / "header-only.wav").write_bytes(data[:44])
    (d / "no-data-chunk.wav").write_bytes(data[:36])
    sf.write(d / "cut.mp3", _tone(25.0), 16000, format="MP3", subtype="MPEG_LAYER_III")
    mp3 = (d / "cut.mp3").read_bytes()
    (d / "cut.mp3").write_bytes(mp3[: len(mp3) // 2])
    (d / "empty.wav").write_bytes(b"")
    (d / "text.wav").write_text("not audio at all\n")
    nan = _tone(0.5)
    nan[100] = math.nan
    sf.write(d / "nan.wav", nan, 16000, subtype="FLOAT")
    sf.write(d / "slow-rate.wav", _tone(0.5, 500), 500, subtype="PCM_16")
    sf.write(d / "silence.wav", np.zeros(32000, np.float32), 16000, subtype="PCM_16")
    sf.write(d / "one-sample.wav", np.full(1, 0.5, np.float32), 16000, subtype="PCM_16")
    sf.write(d / "room-tone.wav", (1e-4 * np.random.default_rng(0).standard_normal(32000)).astype(np.float32), 16000)
    (d / "folder.wav").mkdir()
    (d / "dangling.wav").symlink_to(d / "nowhere.wav")
    return {
        "half.wav": "CorruptInputError", "header-only.wav": "CorruptInputError", "no-data-chunk.wav": "CorruptInputError",
        "cut.mp3": "CorruptInputError", "empty.wav": "EmptyInputError", "text.wav": "UnsupportedFormatError",
        "nan.wav": "CorruptInputError", "slow-rate.wav": "UnsupportedFormatError", "silence.wav": "",
        "one-sample.wav": "", "room-tone.wav": "", "folder.wav": "InputNotFoundError",
        "dangling.wav": "InputNotFoundError", "missing.wav": "InputNotFoundError",
    }


def _image_cases(d: Path) -> dict[str, str]:
    Image.new("L", (300, 64), 240).save(d / "blank.png")
    rng = np.random.default_rng(1)
    Image.fromarray((235 + rng.integers(-6, 6, (64, 300))).astype(np.uint8)).save(d / "paper-texture.png")
    line = Image.open(ROOT / "samples" / "handwriting" / json.loads(
        (ROOT / "samples" / "handwriting" / "all.jsonl").read_text().splitlines()[0])["path"]).convert("L")
    page = Image.new("L", (line.width + 40, 4 * (line.height + 30)), 255)
    for k in range(4):
        page.paste(line, (20, 15 + k * (line.height + 30)))
    page.save(d / "page.png")
    line.save(d / "line.png")
    png = (d / "line.png").read_bytes()
    (d / "cut.png").write_bytes(png[: len(png) // 2])
    (d / "empty.png").write_bytes(b"")
    (d / "text.png").write_text("not an image\n")
    frames = [Image.new("L", (200, 40), v) for v in (255, 0)]
    frames[0].save(d / "two-frames.gif", save_all=True, append_images=frames[1:])
    (d / "folder.png").mkdir()
    return {
        "blank.png": "", "paper-texture.png": "", "page.png": "SeveralRegionsError", "cut.png": "CorruptInputError",
        "empty.png": "EmptyInputError", "text.png": "UnsupportedFormatError", "two-frames.gif": "UnsupportedFormatError",
        "folder.png": "InputNotFoundError", "missing.png": "InputNotFoundError",
    }


def _outcome(call, path: Path) -> tuple[str, str]:
    try:
        t = call(str(path))
    except recog.RecogError as e:
        return type(e).__name__, str(e)
    return ("", t.warnings[0]) if t.text == "" else ("text", t.text)


def _cli(paths: list[Path], model: str) -> dict[str, str]:
    """file name -> what ``recog transcribe`` printed for it: its error message, or an empty text's warning."""
    done = subprocess.run(
        [sys.executable, "-m", "recog", "transcribe", *map(str, paths), "--model", model, "--format", "json", "--quiet"],
        capture_output=True, text=True, timeout=600, cwd=ROOT,
    )
    assert done.returncode == 1, done.stderr  # some inputs failed, none crashed
    assert "recog: warning: " in done.stderr  # empty transcripts say why
    got = {Path(r["source"]).name: r["warnings"][0] if r["text"] == "" else r["text"] for r in json.loads(done.stdout)}
    for line in done.stderr.splitlines():
        if line.startswith("recog: error: ") and ": " in line[len("recog: error: "):]:
            message = line[len("recog: error: "):]
            got[Path(message.split(": ", 1)[0]).name] = message
    assert "Traceback" not in done.stderr
    return got


@pytest.mark.parametrize("kind,model,export", [("audio", "speech", "speech.onnx"), ("image", "handwriting", "handwriting.onnx")])
def test_every_bad_input_has_the_same_outcome_in_cli_api_and_runtime(tmp_path, kind, model, export):
    cases = _audio_cases(tmp_path) if kind == "audio" else _image_cases(tmp_path)
    paths = [tmp_path / name for name in cases]
    api = recog.load(model)
    runtime = OnnxRecognizer(EXPORTS / export)
    cli = _cli([p for p in paths if not p.is_dir()], model)  # the CLI reads a folder's files (tested in test_cli)
    table = []
    for path in paths:
        a_cls, a_msg = _outcome(api.transcribe, path)
        r_cls, r_msg = _outcome(runtime.transcribe, path)
        table.append((path.name, a_cls, r_cls))
        assert a_cls == cases[path.name], (path.name, a_msg)
        assert (r_cls, r_msg) == (a_cls, a_msg), path.name  # same class, same message
        if a_cls:
            assert path.name in a_msg and "\n" not in a_msg  # one line naming the file
        else:  # an empty transcript that says the input holds nothing: never invented text
            assert a_msg.startswith("no speech found" if kind == "audio" else "no ink found"), (path.name, a_msg)
        if a_cls == "SeveralRegionsError":  # the CLI reads a page line by line instead
            assert cli[path.name].splitlines() == [api.transcribe(str(tmp_path / "line.png")).text] * 4, cli[path.name]
        elif not path.is_dir():
            assert cli[path.name] == a_msg
    assert len(table) == len(cases)


def test_an_empty_transcript_says_whether_the_input_or_the_model_had_nothing():
    from recog.results import TokenTiming, Transcript

    silent = Transcript.from_tokens([], 1.0, "s", "quiet.wav", "speech", 2.0, signal=False)
    assert silent.text == "" and silent.warnings == ("no speech found: the input is silent or too faint to read",)
    blank = Transcript.from_tokens([TokenTiming(" ", 0, 1, 1.0)], 1.0, "px", "blank.png", "handwriting", 80, signal=False)
    assert blank.warnings == ("no ink found: the image is blank or holds only paper texture",)
    heard = Transcript.from_tokens([], 0.4, "s", "mumble.wav", "speech", 2.0)
    assert heard.warnings == ("the model recognised nothing in the input",)
    said = Transcript.from_tokens([TokenTiming("a", 0, 1, 0.9)], 0.9, "s", "a.wav", "speech", 1.0, signal=False)
    assert said.warnings == () and said.to_dict()["warnings"] == []
