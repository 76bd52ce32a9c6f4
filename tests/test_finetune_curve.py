"""bench/finetune_curve.py: which lines make up the hand, how a PAGE folder becomes manifests, and the verdict on
halving the CER."""

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from recog.corpus import read_corpus
from recog.evaluation import EvalReport, ItemScore
from conftest import load_bench_script

PAGE_NS = "http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15"


@pytest.fixture(scope="module")
def fc():
    return load_bench_script("finetune_curve")


def _page(folder: Path, stem: str, texts: list[str]) -> None:
    """A page image with one text line per 40 pixels and its PAGE XML."""
    img = Image.new("L", (400, 40 * len(texts) + 20), 255)
    draw = ImageDraw.Draw(img)
    lines = []
    for k, t in enumerate(texts):
        y = 10 + 40 * k
        draw.text((10, y + 8), t, fill=0)
        lines.append(f'<TextLine id="l{k}"><Coords points="5,{y} 395,{y} 395,{y + 36} 5,{y + 36}"/>'
                     f"<TextEquiv><Unicode>{t}</Unicode></TextEquiv></TextLine>")
    img.save(folder / f"{stem}.png")
    (folder / f"{stem}.xml").write_text(
        f'<?xml version="1.0" encoding="UTF-8"?><PcGts xmlns="{PAGE_NS}"><Page imageFilename="{stem}.png" '
        f'imageWidth="400" imageHeight="{img.height}"><TextRegion id="r"><Coords points="0,0 400,0 400,40"/>'
        f'{"".join(lines)}</TextRegion></Page></PcGts>', encoding="utf-8")


def test_a_page_folder_is_one_hand_and_its_lines_become_pngs_that_keep_their_pages(fc, tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    _page(pages, "a", ["first line", "second line"])
    _page(pages, "b", ["third line"])
    utts = fc.select_hand(read_corpus(pages), None, str(pages))
    assert sorted(u.text for u in utts) == ["first line", "second line", "third line"]
    m = fc.write_manifest(utts, tmp_path / "out" / "test.jsonl")
    rows = [json.loads(x) for x in m.read_text(encoding="utf-8").splitlines()]
    assert sorted(r["page"] for r in rows) == ["page:a", "page:a", "page:b"]
    for r, u in zip(rows, utts):
        assert r["text"] == u.text and Path(r["path"]).is_absolute()
        assert np.array_equal(np.asarray(Image.open(r["path"])), u.path)  # the crop itself, losslessly
    back = read_corpus(m)  # what recog train and recog eval will read
    assert [u.text for u in back] == [r["text"] for r in rows] and back[0].extra["page"] == rows[0]["page"]


def test_a_writer_is_picked_from_a_manifest_and_an_unknown_one_is_named(fc, tmp_path):
    img = tmp_path / "x.png"
    Image.new("L", (40, 20), 255).save(img)
    rows = [{"path": str(img), "text": f"w{i}", "writer": w} for i, w in enumerate(["6", "6", "12"])]
    m = tmp_path / "m.jsonl"
    m.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert [u.text for u in fc.select_hand(read_corpus(m), "6", str(m))] == ["w0", "w1"]
    with pytest.raises(SystemExit, match=r"no lines of writer '7' \(writers: 12, 6\)"):
        fc.select_hand(read_corpus(m), "7", str(m))
    written = fc.write_manifest(read_corpus(m)[:1], tmp_path / "o" / "t.jsonl")
    assert "page" not in json.loads(written.read_text(encoding="utf-8"))  # no page field where there was none


def _report(errors: list[int], pages: list[str] | None = None) -> EvalReport:
    items = tuple(ItemScore(f"l{i}", "hand", "x" * 10, "y", e, 10, 0, 1, {"page": pages[i]} if pages else {})
                  for i, e in enumerate(errors))
    return EvalReport(sum(errors) / (10 * len(errors)), 0.0, len(items), None, 1.0, None, 1.0, items)


def test_the_verdict_on_halving_needs_the_whole_interval(fc):
    base = _report([4] * 40)
    assert fc._against_base(base, _report([1] * 40)).endswith("(95% interval -30.00 to -30.00, 40 lines); halved")
    assert fc._against_base(base, _report([3] * 40)).endswith("; not halved")
    # 22 lines of 40 read right, the rest as before: halved on the whole, but not at the interval's end
    mixed = fc._against_base(base, _report([0] * 22 + [4] * 18))
    assert "-22.00 points against N=0" in mixed and mixed.endswith("; halved at the estimate only")
    pages = [f"p{i % 4}" for i in range(40)]
    paged = fc._against_base(_report([4] * 40, pages), _report([1] * 40, pages))
    assert "4 pages" in paged
