"""Segments and subtitle formats (recog.segments) and `recog transcribe --format srt|vtt|tsv --output-dir`."""

import json
import subprocess
import sys
from pathlib import Path


from recog import TokenTiming
from recog.segments import SegmentRules, segment_words, to_srt, to_tsv, to_vtt

ROOT = Path(__file__).resolve().parents[1]


def _w(text, start, end, conf=0.9):
    return TokenTiming(text, start, end, conf)


def test_segments_break_at_pauses_length_and_duration():
    words = [_w("one", 0.0, 0.4), _w("two", 0.5, 0.9, 0.5), _w("three", 2.0, 2.5), _w("four", 2.6, 3.0)]
    segs = segment_words(words)
    assert [(s.text, s.start, s.end, s.confidence) for s in segs] == [("one two", 0.0, 0.9, 0.5), ("three four", 2.0, 3.0, 0.9)]
    assert [s.text for s in segment_words(words, SegmentRules(max_gap=5.0, max_chars=9))] == ["one two", "three", "four"]
    assert [s.text for s in segment_words(words, SegmentRules(max_gap=5.0, max_duration=2.6))] == ["one two three", "four"]
    assert segment_words([]) == []


def test_subtitle_formats_are_exact():
    segs = segment_words([_w("hello", 1.2345, 2.0), _w("world", 3661.5, 3662.25)])
    assert to_srt(segs) == "1\n00:00:01,234 --> 00:00:02,000\nhello\n\n2\n01:01:01,500 --> 01:01:02,250\nworld\n\n"
    assert to_vtt(segs) == "WEBVTT\n\n00:00:01.234 --> 00:00:02.000\nhello\n\n01:01:01.500 --> 01:01:02.250\nworld\n\n"
    assert to_tsv(segs) == "start\tend\ttext\n1234\t2000\thello\n3661500\t3662250\tworld\n"
    long = segment_words([_w("word", k * 0.3, k * 0.3 + 0.25) for k in range(16)])
    assert all(len(line) <= 42 for line in to_srt(long).splitlines())  # two lines of at most 42 characters


def _run(*args):
    return subprocess.run([sys.executable, "-m", "recog", "transcribe", *map(str, args)], capture_output=True, text=True)


def test_cli_subtitles_json_segments_and_output_dir(tmp_path):
    wav = ROOT / "samples" / "speech" / "enter_six_two_four.wav"
    srt = _run(wav, "--format", "srt")
    assert srt.returncode == 0 and srt.stdout.startswith("1\n00:00:00") and "-->" in srt.stdout
    doc = json.loads(_run(wav, "--format", "json").stdout)
    assert doc["segments"] and " ".join(s["text"] for s in doc["segments"]) == doc["text"]
    two = [wav, ROOT / "samples" / "speech" / "yes.wav"]
    bad = _run(*two, "--format", "vtt")
    assert bad.returncode == 2 and "needs --output-dir" in bad.stderr
    ok = _run(*two, "--format", "vtt", "--output-dir", tmp_path / "subs")
    assert ok.returncode == 0 and ok.stdout == ""
    assert sorted(p.name for p in (tmp_path / "subs").iterdir()) == ["enter_six_two_four.vtt", "yes.vtt"]
    assert (tmp_path / "subs" / "yes.vtt").read_text().startswith("WEBVTT\n\n00:00:00.")
    text = _run(wav, "--output-dir", tmp_path / "txt")
    assert text.returncode == 0 and (tmp_path / "txt" / "enter_six_two_four.txt").read_text().strip()
