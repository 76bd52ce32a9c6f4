"""Synthetic handwriting (plugins/recog_image/synth.py, fonts.py, commands.py): glyph checks, caps-only
fonts, text sampling, seeded rendering, the manifest format, font hold-out and the ``recog render`` command."""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

import pytest

from recog.errors import ConfigError, DataError, TextError
from recog_image import LineImageFrontend
from recog_image.commands import configure_render, run_render
from recog_image.fonts import find_fonts, select_fonts
from recog_image.placenames import PLACE_NAMES, STREETS, TOWNS
from recog_image.synth import SynthConfig, TextSampler, fit_text, random_number, render_dataset, render_text

FONTS = find_fonts()
needs_fonts = pytest.mark.skipif(not FONTS, reason="no handwriting fonts installed (run .ci/fonts.sh as root)")
NO_FONT_HAS = "\U00010000"  # LINEAR B SYLLABLE B008 A: in no handwriting font
CORPUS = ["The birch canoe slid on the smooth planks.", "Glue the sheet to the dark blue background."]


def _font(*preferred: str):
    by_id = {f.id: f for f in FONTS}
    return next((by_id[i] for i in preferred if i in by_id), FONTS[0])


@pytest.fixture
def sampler() -> TextSampler:
    return TextSampler(CORPUS)


# --- fonts -------------------------------------------------------------------
@needs_fonts
def test_fonts_are_found_sorted_with_stable_unique_ids():
    ids = [f.id for f in FONTS]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert [f.id for f in find_fonts()] == ids  # stable across calls
    assert all(f.path.suffix.lower() in (".ttf", ".otf") and f.path.is_file() for f in FONTS)
    assert all(f.id == f.id.lower() and " " not in f.id for f in FONTS)


@needs_fonts
def test_single_font_files_are_taken_from_book_face_packages(tmp_path):
    # fonts-urw-base35 holds book faces and one chancery script: only the script is a handwriting font
    urw = tmp_path / "opentype" / "urw-base35"
    urw.mkdir(parents=True)
    for name in ("Z003-MediumItalic.otf", "NimbusRoman-Regular.otf"):
        (urw / name).write_bytes(FONTS[0].path.read_bytes())
    hand = tmp_path / "truetype" / "isabella"
    hand.mkdir(parents=True)
    (hand / "Isabella.ttf").write_bytes(FONTS[0].path.read_bytes())
    assert [f.id for f in find_fonts([tmp_path])] == ["isabella", "z003-mediumitalic"]
    assert len(find_fonts([tmp_path], all_fonts=True)) == 3


def test_find_fonts_in_an_empty_folder(tmp_path):
    assert find_fonts([tmp_path]) == []
    assert find_fonts([tmp_path / "missing"]) == []


@needs_fonts
def test_missing_glyphs_are_detected():
    for f in FONTS:
        assert f.has_glyph(" ") and not f.has_glyph("\n") and not f.has_glyph(NO_FONT_HAS)
        assert f.missing(f"ab{NO_FONT_HAS}") <= {"a", "b", NO_FONT_HAS} and NO_FONT_HAS in f.missing("x" + NO_FONT_HAS)
    assert sum(f.has_glyph("a") for f in FONTS) >= len(FONTS) - 1  # typoscript-like fonts may lack a few letters
    by_id = {f.id: f for f in FONTS}
    if "tomsontalks" in by_id:  # a comic font without brackets: rendered as .notdef boxes, detected
        assert by_id["tomsontalks"].missing("(a)") == {"(", ")"}
    if "rufscript010" in by_id:  # no umlauts
        assert by_id["rufscript010"].missing("Köln") == {"ö"}


@needs_fonts
def test_caps_only_fonts_get_upper_case_labels():
    by_id = {f.id: f for f in FONTS}
    if "tomsontalks" not in by_id or "comicneue-regular" not in by_id:
        pytest.skip("needs the fonts-tomsontalks and fonts-comic-neue packages")
    assert by_id["tomsontalks"].caps_only and not by_id["comicneue-regular"].caps_only
    assert fit_text("Straße", by_id["tomsontalks"]) == "STRASSE"
    assert fit_text("Straße", by_id["comicneue-regular"]) == "Straße"


@needs_fonts
def test_select_fonts_by_id_and_glob():
    first = FONTS[0].id
    assert [f.id for f in select_fonts(FONTS, include=[first])] == [first]
    assert first not in {f.id for f in select_fonts(FONTS, exclude=[first])}
    prefix = first[:3] + "*"
    assert all(f.id.startswith(first[:3]) for f in select_fonts(FONTS, include=[prefix]))
    assert select_fonts(FONTS, include=["no-such-font"]) == []
    assert select_fonts(FONTS) == FONTS


# --- text ----------------------------------------------------------------------
def test_place_names_cover_german_letters():
    assert len(PLACE_NAMES) >= 200 and len(set(PLACE_NAMES)) == len(PLACE_NAMES)
    chars = set("".join(PLACE_NAMES))
    assert set("äöüÄÖÜß-") <= chars
    assert any(" " in n for n in TOWNS) and any("-" in n for n in STREETS)


def test_text_sampler_is_seeded_and_mixes_sources(sampler):
    a = [sampler(random.Random(f"s{i}")) for i in range(300)]
    b = [sampler(random.Random(f"s{i}")) for i in range(300)]
    assert a == b
    words = {w for line in CORPUS for w in line.split()}
    ngrams = [t for t in a if set(t.split()) <= words]
    places = [t for t in a if any(t == p or t.startswith(p + " ") or t.endswith(" " + p) for p in PLACE_NAMES)]
    numbers = [t for t in a if any(c.isdigit() for c in t) and t not in places]
    assert len(ngrams) > 50 and len(places) > 50 and len(numbers) > 20
    assert all(1 <= len(t.split()) <= 4 for t in ngrams)
    for t in ngrams:  # n-grams are contiguous runs of a corpus line
        assert any(f" {t} " in f" {line} " for line in CORPUS), t


def test_text_sampler_without_sources():
    only_numbers = TextSampler([], places=(), corpus_p=0, places_p=0)
    assert all(any(c.isdigit() for c in only_numbers(random.Random(i))) for i in range(50))
    with pytest.raises(ConfigError):
        TextSampler([], places=(), corpus_p=0.5, places_p=0.5)
    assert all(random_number(random.Random(i)) for i in range(100))


def test_text_sampler_from_files(tmp_path):
    p = tmp_path / "c.txt"
    p.write_text("eins zwei drei\n\nvier\n", encoding="utf-8")
    s = TextSampler.from_files([p], corpus_p=1.0, places_p=0.0)
    assert {s(random.Random(i)) for i in range(200)} <= {"eins", "zwei", "drei", "vier", "eins zwei", "zwei drei", "eins zwei drei"}
    with pytest.raises(DataError, match="missing.txt"):
        TextSampler.from_files([tmp_path / "missing.txt"])


# --- rendering -------------------------------------------------------------
@needs_fonts
def test_render_text_gives_dark_ink_on_light_paper():
    font = _font("dkg", "comicneue-regular")
    im = render_text("Straße 12", font, random.Random(0))
    assert im.mode == "L" and im.height >= 20 and im.width > im.height
    ink = LineImageFrontend().load(im)  # decodes as ink on background
    assert float(ink.median()) == 0.0 and 0.03 < float(ink.mean()) < 0.5
    again = render_text("Straße 12", font, random.Random(0))
    assert again.tobytes() == im.tobytes()


@needs_fonts
def test_render_text_refuses_text_without_glyphs():
    font = _font("dkg")
    with pytest.raises(TextError, match=f"font:{font.id}"):
        render_text(f"ab{NO_FONT_HAS}", font, random.Random(0))
    with pytest.raises(TextError, match="empty"):
        render_text("  ", font, random.Random(0))


@needs_fonts
def test_dataset_skips_and_reports_text_no_font_has(tmp_path):
    fonts = select_fonts(FONTS, include=[_font("dkg", "comicneue-regular").id])
    draw = lambda rng: rng.choice(["Köln", f"Kö{NO_FONT_HAS}ln"])  # noqa: E731
    seen = []
    report = render_dataset(tmp_path, 10, fonts, draw, seed=1, progress=lambda d, t, i: seen.append((d, t)))
    assert seen == [(k, 10) for k in range(1, 11)]  # one report per image written
    texts = [json.loads(x)["text"] for x in report.manifest.read_text(encoding="utf-8").splitlines()]
    assert report.written == 10 and set(texts) == {fit_text("Köln", fonts[0])}
    assert report.skipped > 0 and report.missing[NO_FONT_HAS] == report.skipped
    assert "ö" in report.manifest.read_text(encoding="utf-8").lower()  # UTF-8, not \u escapes
    with pytest.raises(DataError, match="no text drawn in 5 tries"):
        render_dataset(tmp_path / "never", 1, fonts, lambda rng: NO_FONT_HAS, max_tries=5)


@needs_fonts
def test_dataset_is_deterministic_for_a_seed(tmp_path, sampler):
    fonts = FONTS[:6]
    a = render_dataset(tmp_path / "a", 8, fonts, sampler, seed=5)
    b = render_dataset(tmp_path / "b", 8, fonts, sampler, seed=5)
    c = render_dataset(tmp_path / "c", 8, fonts, sampler, seed=6)
    assert a.manifest.read_bytes() == b.manifest.read_bytes() != c.manifest.read_bytes()
    for png in sorted((tmp_path / "a" / "images").glob("*.png")):
        assert png.read_bytes() == (tmp_path / "b" / "images" / png.name).read_bytes()
    # item i depends only on (seed, i): a longer run starts with the same items
    d = render_dataset(tmp_path / "d", 10, fonts, sampler, seed=5)
    assert d.manifest.read_text(encoding="utf-8").startswith(a.manifest.read_text(encoding="utf-8"))


@needs_fonts
def test_manifest_format(tmp_path, sampler):
    report = render_dataset(tmp_path / "set", 12, FONTS, sampler, seed=0, manifest_name="train.jsonl")
    assert report.manifest == tmp_path / "set" / "train.jsonl"
    ids = {f.id for f in FONTS}
    fe = LineImageFrontend()
    lines = report.manifest.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 12 == report.written == sum(report.per_font.values())
    for i, line in enumerate(lines):
        item = json.loads(line)
        assert set(item) == {"path", "text", "writer"}
        assert item["path"] == f"images/{i:06d}.png"  # relative to the manifest's folder
        assert item["text"] == item["text"].strip() and "  " not in item["text"] and item["text"]
        assert item["writer"].startswith("font:") and item["writer"][5:] in ids
        assert fe.load(tmp_path / "set" / item["path"]).shape[0] >= 16
    assert "\\u" not in report.manifest.read_text(encoding="utf-8")  # umlauts are written as UTF-8, not escapes


@needs_fonts
def test_held_out_fonts_are_never_used(tmp_path, sampler):
    if len(FONTS) < 3:
        pytest.skip("needs at least 3 fonts")
    held_out = [FONTS[0].id, FONTS[1].id]
    train = select_fonts(FONTS, exclude=held_out)
    report = render_dataset(tmp_path, 40, train, sampler, seed=3)
    assert not set(report.per_font) & set(held_out)
    writers = {json.loads(x)["writer"] for x in report.manifest.read_text(encoding="utf-8").splitlines()}
    assert writers.isdisjoint({f"font:{i}" for i in held_out}) and len(writers) > 3


def test_render_dataset_checks_arguments(tmp_path, sampler):
    with pytest.raises(ConfigError, match="no fonts"):
        render_dataset(tmp_path, 1, [], sampler)
    if FONTS:
        with pytest.raises(ConfigError, match="count"):
            render_dataset(tmp_path, 0, FONTS, sampler)
    with pytest.raises(ConfigError, match="ink"):
        SynthConfig(ink=(200, 100))


# --- the recog render command ------------------------------------------------
def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="recog render")
    configure_render(parser)
    return parser.parse_args(list(argv))


@needs_fonts
def test_render_command(tmp_path, capsys):
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("\n".join(CORPUS), encoding="utf-8")
    held_out = FONTS[0].id
    args = _parse("--out", str(tmp_path / "out"), "--count", "6", "--seed", "4", "--exclude-fonts", f"{held_out},nothing*", "--text", str(corpus))
    assert run_render(args) == 0
    assert "wrote 6 images" in capsys.readouterr().out
    lines = (tmp_path / "out" / "all.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 6 and all(json.loads(x)["writer"] != f"font:{held_out}" for x in lines)
    only = _parse("--out", str(tmp_path / "one"), "--count", "3", "--fonts", held_out, "--text", str(corpus))
    assert run_render(only) == 0
    capsys.readouterr()
    assert {json.loads(x)["writer"] for x in (tmp_path / "one" / "all.jsonl").read_text(encoding="utf-8").splitlines()} == {f"font:{held_out}"}
    assert run_render(_parse("--list-fonts", "--fonts", held_out)) == 0
    assert capsys.readouterr().out.startswith(f"{held_out}\t")


def test_render_command_errors(tmp_path):
    with pytest.raises(ConfigError, match="--out"):
        run_render(_parse("--count", "3"))
    with pytest.raises(ConfigError, match="no fonts"):
        run_render(_parse("--out", str(tmp_path), "--count", "1", "--fonts", "no-such-font"))


def test_render_command_with_a_font_folder(tmp_path):
    if not FONTS:
        pytest.skip("no handwriting fonts installed (run .ci/fonts.sh as root)")
    own = tmp_path / "myfonts"
    own.mkdir()
    (own / "MyHand.ttf").write_bytes(FONTS[0].path.read_bytes())
    found = find_fonts([own], all_fonts=True)
    assert [f.id for f in found] == ["myhand"]
    args = _parse("--out", str(tmp_path / "o"), "--count", "2", "--font-dir", str(own), "--fonts", "myhand")
    assert run_render(args) == 0
    lines = (tmp_path / "o" / "all.jsonl").read_text(encoding="utf-8").splitlines()
    assert {json.loads(x)["writer"] for x in lines} == {"font:myhand"}


def test_samples_manifest_matches_images():
    folder = Path(__file__).resolve().parents[1] / "samples" / "handwriting"
    items = [json.loads(x) for x in (folder / "all.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [i["text"] for i in items] == ["Straße", "Köln 2024", "hello world"]
    fe = LineImageFrontend()
    for item in items:
        assert fe.features(folder / item["path"]).data.shape[:2] == (1, 48)
