"""Forced alignment (Recognizer.align, recog align): where the words of a known text lie in an input."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

import recog

ROOT = Path(__file__).resolve().parents[1]
WAV = ROOT / "samples" / "speech" / "three_five_two.wav"


def test_align_places_every_word_in_order_inside_the_input():
    rec = recog.load("speech", decoder="greedy")
    out = rec.align(WAV, "THREE FIVE TWO")
    assert out.text == "three five two" and [w.text for w in out.words] == ["three", "five", "two"]
    starts = [w.start for w in out.words]
    assert starts == sorted(starts) and 0 <= starts[0] and out.words[-1].end <= out.extent + 0.05
    assert all(w.end > w.start for w in out.words)
    # the right text fits better than a wrong one of the same length
    assert out.confidence > rec.align(WAV, "EIGHT NINE SIX").confidence


def test_align_errors_say_what_cannot_be_aligned():
    rec = recog.load("speech", decoder="greedy")
    with pytest.raises(recog.DataError, match="needs more time than the input holds"):
        rec.align(WAV, "three five two " * 20)
    with pytest.raises(recog.DataError, match="not in the model's alphabet"):
        rec.align(WAV, "three 3 two")  # a digit: kept by the normaliser, not in the alphabet (it spells numbers)
    with pytest.raises(recog.DataError, match="empty"):
        rec.align(WAV, "  ")


def test_align_cli_json_and_subtitles(tmp_path):
    def run(*args):
        return subprocess.run([sys.executable, "-m", "recog", "align", *map(str, args)], capture_output=True, text=True)

    doc = json.loads(run(WAV, "three five two").stdout)
    assert [w["text"] for w in doc["words"]] == ["three", "five", "two"]
    (tmp_path / "t.txt").write_text("three five two\n")
    srt = run(WAV, f"@{tmp_path / 't.txt'}", "--format", "srt")
    assert srt.returncode == 0 and srt.stdout.startswith("1\n00:00:0") and "three five two" in srt.stdout
    line = run(ROOT / "samples" / "handwriting" / "strasse.png", "Straße")
    assert [w["text"] for w in json.loads(line.stdout)["words"]] == ["Straße"]
    bad = run(WAV, "@" + str(tmp_path / "missing.txt"))
    assert bad.returncode == 2 and "missing.txt: cannot read the text" in bad.stderr


def test_plot_draws_one_recognition_to_a_png(tmp_path):
    pytest.importorskip("matplotlib")
    from PIL import Image

    def run(*args):
        return subprocess.run([sys.executable, "-m", "recog", *map(str, args)], capture_output=True, text=True)

    out = run("transcribe", WAV, "--plot", tmp_path / "a.png")
    assert out.returncode == 0 and out.stdout.strip() == "three five two", out.stderr
    im = Image.open(tmp_path / "a.png")
    assert im.format == "PNG" and im.size[0] >= 800 and im.size[1] >= 600
    line = run("align", ROOT / "samples" / "handwriting" / "hello_world.png", "hello world", "--plot", tmp_path / "b.png")
    assert line.returncode == 0 and (tmp_path / "b.png").stat().st_size > 10_000
    two = run("transcribe", WAV, WAV, "--plot", tmp_path / "c.png")
    assert two.returncode == 2 and "one input" in two.stderr
    px = run("align", ROOT / "samples" / "handwriting" / "hello_world.png", "hello world", "--format", "srt")
    assert px.returncode == 2 and "is for audio" in px.stderr
