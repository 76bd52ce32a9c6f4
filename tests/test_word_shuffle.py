"""bench/word_shuffle.py: word spans from an alignment, splicing, and new lines composed from a page's words."""

import json
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from conftest import load_bench_script

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "bench" / "word_shuffle.py"


@pytest.fixture(scope="module")
def ws():
    return load_bench_script("word_shuffle")


def test_word_cuts_tile_the_line_and_cut_half_way_across_gaps(ws):
    assert ws.word_cuts([(6.0, 8.5), (49.2, 117.8), (148.3, 201.7)], 220) == [(0, 29), (29, 133), (133, 220)]
    assert ws.word_cuts([(3.0, 9.0)], 40) == [(0, 40)]
    # an alignment that overlaps or runs past the image never gives a backwards or out-of-range span
    spans = ws.word_cuts([(10.0, 30.0), (20.0, 25.0), (90.0, 120.0)], 100)
    assert spans[0][0] == 0 and spans[-1][1] == 100
    assert all(a <= b for a, b in spans) and all(s[1] == t[0] for s, t in zip(spans, spans[1:]))


def test_splice_scales_pieces_to_one_height_and_keeps_their_order(ws):
    a = np.zeros((10, 4), np.uint8)
    b = np.full((20, 6), 255, np.uint8)  # twice as tall: scaled to 10 x 3
    out = ws.splice([a, b, a], 10)
    assert out.shape == (10, 11)
    assert (out[:, :4] == 0).all() and (out[:, 4:7] == 255).all() and (out[:, 7:] == 0).all()


def test_new_order_never_keeps_the_old_one(ws):
    rng = random.Random(3)
    orders = [ws.new_order(3, rng) for _ in range(50)]
    assert all(o != [0, 1, 2] and sorted(o) == [0, 1, 2] for o in orders)
    assert len({tuple(o) for o in orders}) == 5  # every other permutation of three turns up


def test_compose_draws_words_from_the_model_lines_page_only(ws):
    lines = [{"page": "p1", "words": ["a", "b", "c"]}, {"page": "p1", "words": ["d", "e"]},
             {"page": "p2", "words": ["x", "y", "z", "w"]}]
    made = ws.compose(lines, 200, seed=1)
    assert made == ws.compose(lines, 200, seed=1)  # seeded
    for picks, model in made:
        pages = {lines[i]["page"] for i, _ in picks}
        assert pages == {lines[model]["page"]}
        assert len(picks) == len(lines[model]["words"]) and len(set(picks)) == len(picks)
    # words of different lines of a page meet in one new line
    assert any(len({i for i, _ in picks}) > 1 for picks, _ in made)


def test_make_writes_lines_whose_text_matches_their_pieces(tmp_path):
    """Each word is a block of its own grey level: the composed image must show the blocks of its text, in order."""
    levels = {"one": 0, "two": 60, "three": 120, "four": 180}
    widths = {"one": 5, "two": 7, "three": 9, "four": 11}
    rows = []
    for k, words in enumerate([["one", "two"], ["three", "four"]]):
        img = np.concatenate([np.full((8, widths[w]), levels[w], np.uint8) for w in words], axis=1)
        Image.fromarray(img).save(tmp_path / f"l{k}.png")
        bounds = np.cumsum([0] + [widths[w] for w in words])
        rows.append({"path": str(tmp_path / f"l{k}.png"), "page": "p", "writer": "w", "words": words,
                     "spans": [[int(a), int(b)] for a, b in zip(bounds, bounds[1:])]})
    words_file = tmp_path / "words.jsonl"
    words_file.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "made"
    res = subprocess.run([sys.executable, str(SCRIPT), "make", str(words_file), "--count", "12", "--seed", "4",
                          "--out", str(out)], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    made = [json.loads(line) for line in (out / "all.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(made) == 12 and all(m["page"] == "p" and m["writer"] == "w" for m in made)
    for m in made:
        text = m["text"].split()
        assert len(text) == 2 and len(set(text)) == 2
        img = np.asarray(Image.open(out / m["path"]))
        expected = np.concatenate([np.full((8, widths[w]), levels[w], np.uint8) for w in text], axis=1)
        assert np.array_equal(img, expected), m
    assert len({m["text"] for m in made}) > 2  # not only the two original lines


def test_make_refuses_an_empty_words_file(tmp_path):
    empty = tmp_path / "words.jsonl"
    empty.write_text("", encoding="utf-8")
    res = subprocess.run([sys.executable, str(SCRIPT), "make", str(empty), "--count", "3", "--out", str(tmp_path / "o")],
                         capture_output=True, text=True)
    assert res.returncode != 0 and "no aligned lines" in res.stderr


def test_align_finds_the_words_of_a_shipped_sample(tmp_path):
    """The shipped handwriting model aligns "hello world" and "Köln 2024": two words each, spans tiling the image."""
    out = tmp_path / "words.jsonl"
    res = subprocess.run([sys.executable, str(SCRIPT), "align", str(ROOT / "samples" / "handwriting" / "all.jsonl"),
                          "--out", str(out)], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    rows = {Path(r["path"]).name: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert rows["hello_world.png"]["words"] == ["hello", "world"]
    assert rows["koeln_2024.png"]["words"] == ["Köln", "2024"]
    for r in rows.values():
        width = Image.open(r["path"]).size[0]
        spans = r["spans"]
        assert spans[0][0] == 0 and spans[-1][1] == width and all(a < b for a, b in spans)
    # the cut between the two words lies in the gap of ink between them
    img = 255 - np.asarray(Image.open(ROOT / "samples" / "handwriting" / "hello_world.png").convert("L")).astype(int)
    cut = rows["hello_world.png"]["spans"][0][1]
    ink = img.sum(axis=0) - img.sum(axis=0).min()  # the paper's texture taken off
    assert ink[cut] < 0.15 * ink.max()
