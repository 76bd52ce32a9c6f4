"""Tests of page layouts (recog_image.layout, .segment, .page) and pages read by ``recog transcribe``: PAGE/ALTO XML in and out,
line crops, segmentation of straight pages, and whole pages read by the shipped handwriting model.

Pages are composed in tmp_path from the project's own line samples (samples/handwriting), so the expected
text of every line is known.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import recog
from recog import CorruptInputError, DataError, InputNotFoundError
from recog_image.layout import TextLine, crop_line, read_layout
from recog.document import transcribe_regions
from recog_image.page import page_items, read_page
from recog_image.segment import segment_lines

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples" / "handwriting"
PAGE_NS = "http://schema.primaresearch.org/PAGE/gts/pagecontent/2013-07-15"


def _samples() -> list[tuple[np.ndarray, str]]:
    """The sample lines as white-background uint8 arrays, with their text."""
    out = []
    for row in map(json.loads, (SAMPLES / "all.jsonl").read_text().splitlines()):
        im = np.asarray(Image.open(SAMPLES / row["path"]).convert("L")).astype(np.float64)
        bg = np.percentile(im, 90)
        out.append((np.clip(255 * (im - im.min()) / (bg - im.min()), 0, 255).astype(np.uint8), row["text"]))
    return out


def _compose(tmp_path: Path, slant: float = 0.0):
    """A page with the sample lines stacked (the last one rotated by ``slant`` degrees); returns path, boxes, texts."""
    lines = _samples()
    if slant:
        im, text = lines[-1]
        lines[-1] = (np.asarray(Image.fromarray(im).rotate(slant, expand=True, fillcolor=255)), text)
    width = max(im.shape[1] for im, _ in lines) + 100
    height = sum(im.shape[0] + 40 for im, _ in lines) + 60
    page = np.full((height, width), 255, np.uint8)
    y, boxes = 40, []
    for im, _ in lines:
        h, w = im.shape
        page[y : y + h, 50 : 50 + w] = np.minimum(page[y : y + h, 50 : 50 + w], im)
        boxes.append((50, y, 50 + w, y + h))
        y += h + 40
    path = tmp_path / "page.png"
    Image.fromarray(page).save(path)
    return path, boxes, [t for _, t in lines]


def _page_xml(tmp_path: Path, boxes, texts=None, slant=0.0, image="page.png") -> Path:
    lines = []
    for k, (x0, y0, x1, y1) in enumerate(boxes):
        pts = f"{x0},{y0} {x1},{y0} {x1},{y1} {x0},{y1}"
        base = f"{x0},{y1 - 8} {x1},{y1 - 8}"
        if slant and k == len(boxes) - 1:  # a baseline rising to the right by `slant` degrees
            rise = (x1 - x0) * np.tan(np.radians(slant))
            base = f"{x0},{(y0 + y1) / 2 + rise / 2:.0f} {x1},{(y0 + y1) / 2 - rise / 2:.0f}"
        text = f"<TextEquiv><Unicode>{texts[k]}</Unicode></TextEquiv>" if texts else ""
        lines.append(f'<TextLine id="r1l{k + 1}"><Coords points="{pts}"/><Baseline points="{base}"/>{text}</TextLine>')
    xml = (f'<?xml version="1.0" encoding="UTF-8"?><PcGts xmlns="{PAGE_NS}"><Page imageFilename="{image}" '
           f'imageWidth="400" imageHeight="400"><TextRegion id="r1"><Coords points="0,0 1,0 1,1"/>'
           f'{"".join(lines)}</TextRegion></Page></PcGts>')
    path = tmp_path / "page.xml"
    path.write_text(xml, encoding="utf-8")
    return path


def _alto_xml(tmp_path: Path) -> Path:
    xml = """<?xml version="1.0" encoding="UTF-8"?>
<alto xmlns="http://www.loc.gov/standards/alto/ns-v3#"><Description><sourceImageInformation>
<fileName>scan.jpg</fileName></sourceImageInformation></Description><Layout><Page WIDTH="300" HEIGHT="200">
<PrintSpace><TextBlock ID="b1">
<TextLine ID="l1" HPOS="10" VPOS="20" WIDTH="200" HEIGHT="30" BASELINE="45">
  <String CONTENT="Dear" HPOS="10" VPOS="20" WIDTH="40" HEIGHT="30"/><SP/><String CONTENT="Sir," /></TextLine>
<TextLine ID="l2" BASELINE="10,90 200,80"><Shape><Polygon POINTS="10 60 210 60 210 100 10 100"/></Shape></TextLine>
</TextBlock></PrintSpace></Page></Layout></alto>"""
    path = tmp_path / "scan.xml"
    path.write_text(xml, encoding="utf-8")
    return path


# --- reading XML ----------------------------------------------------------------------
def test_page_xml_lines_polygons_baselines_and_text(tmp_path):
    layout = read_layout(_page_xml(tmp_path, [(10, 20, 110, 60), (10, 80, 150, 120)], texts=["Dear Sir", "ok"]))
    assert layout.format == "page" and layout.image == tmp_path / "page.png" and layout.size == (400, 400)
    assert [line.id for line in layout.lines] == ["r1l1", "r1l2"] and [line.text for line in layout.lines] == ["Dear Sir", "ok"]
    first = layout.lines[0]
    assert first.box == (10, 20, 111, 61) and first.region == "r1" and len(first.baseline) == 2
    assert first.slant_degrees == pytest.approx(0.0, abs=1e-9)


def test_alto_lines_from_boxes_polygons_and_both_baseline_forms(tmp_path):
    layout = read_layout(_alto_xml(tmp_path))
    assert layout.format == "alto" and layout.image.name == "scan.jpg" and layout.size == (300, 200)
    l1, l2 = layout.lines
    assert l1.text == "Dear Sir," and l1.box == (10, 20, 211, 51) and l1.baseline == ((10.0, 45.0), (210.0, 45.0))
    assert l2.box == (10, 60, 211, 101) and l2.slant_degrees == pytest.approx(np.degrees(np.arctan(10 / 190)), abs=1e-6)


@pytest.mark.parametrize("body, error, match", [
    ("<PcGts", CorruptInputError, "not well-formed XML"),
    ("<html><body/></html>", DataError, "neither PAGE XML"),
    (f'<PcGts xmlns="{PAGE_NS}"><Page imageWidth="9"/></PcGts>', DataError, "names no imageFilename"),
    (f'<PcGts xmlns="{PAGE_NS}"><Page imageFilename="a.png"><TextRegion id="r"><TextLine id="bad1">'
     '<Coords points="5,5 5,5 5,5"/></TextLine></TextRegion></Page></PcGts>', DataError, "line bad1: the line polygon is degenerate"),
    (f'<PcGts xmlns="{PAGE_NS}"><Page imageFilename="a.png"><TextRegion id="r"><TextLine id="odd">'
     '<Coords points="5,5 9"/></TextLine></TextRegion></Page></PcGts>', DataError, "line odd: an odd number"),
    (f'<PcGts xmlns="{PAGE_NS}"><Page imageFilename="a.png"><TextRegion id="r"><TextLine id="nan">'
     '<Coords points="a,b c,d e,f"/></TextLine></TextRegion></Page></PcGts>', DataError, "line nan: points are not numbers"),
    (f'<PcGts xmlns="{PAGE_NS}"><Page imageFilename="a.png"><TextRegion id="r"><TextLine id="none">'
     '</TextLine></TextRegion></Page></PcGts>', DataError, "line none: the line polygon needs at least 3 points"),
])
def test_bad_xml_is_a_one_line_error_naming_the_file_and_line(tmp_path, body, error, match):
    path = tmp_path / "bad.xml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(error, match=match) as info:
        read_layout(path)
    assert "bad.xml" in str(info.value) and "\n" not in str(info.value)


def test_missing_xml_and_missing_page_image(tmp_path):
    with pytest.raises(InputNotFoundError, match="nope.xml"):
        read_layout(tmp_path / "nope.xml")
    xml = _page_xml(tmp_path, [(10, 20, 110, 60)], image="gone.png")
    with pytest.raises(DataError, match=r"page.xml: page image: .*gone.png"):
        read_page(None, xml)


def test_line_outside_the_image_is_refused(tmp_path):
    path, _, _ = _compose(tmp_path)
    xml = _page_xml(tmp_path, [(5000, 5000, 5100, 5050)])
    with pytest.raises(DataError, match=r"line r1l1: polygon .* lies outside"):
        read_page(path, xml)


# --- crops --------------------------------------------------------------------------------
def test_crop_paints_outside_the_polygon_as_paper():
    page = np.full((100, 100), 200, np.uint8)
    page[:, :] = 50  # all ink
    page[10:90, 10:90] = 210
    tri = TextLine("t", ((10.0, 10.0), (89.0, 10.0), (10.0, 89.0)))
    crop = crop_line(page, tri)
    assert crop.shape == (80, 80)
    assert crop[-1, -1] == 210 and crop[0, 0] == 210  # lower-right corner is outside the triangle: paper


def test_slanted_baseline_is_straightened():
    page = np.full((200, 400), 255, np.uint8)
    angle = 6.0
    xs = np.arange(50, 350)
    ys = (150 - (xs - 50) * np.tan(np.radians(angle))).astype(int)
    for x, y in zip(xs, ys):
        page[y - 6 : y, x] = 0  # a bar rising to the right
    line = TextLine("s", ((40.0, 100.0), (360.0, 100.0), (360.0, 160.0), (40.0, 160.0)),
                    baseline=((50.0, 150.0), (349.0, float(ys[-1]))))
    assert line.slant_degrees == pytest.approx(angle, abs=0.3)
    straight = crop_line(page, line)
    crooked = crop_line(page, line, deskew=False)

    def ink_rows(a):
        return int(((a < 128).sum(axis=1) > 20).sum())

    assert ink_rows(straight) < ink_rows(crooked) / 3  # the bar now lies in a few rows


# --- segmentation ---------------------------------------------------------------------------
def test_segmenter_finds_lines_top_to_bottom_and_nothing_on_a_blank_page():
    page = np.full((300, 500), 250, np.uint8)
    for y in (40, 130, 220):
        page[y : y + 25 : 3, 30:470] = 20  # striped "words"
        page[y + 5 : y + 8, 200:210] = 20
    lines = segment_lines(page)
    assert [line.id for line in lines] == ["l1", "l2", "l3"]
    for line, y in zip(lines, (40, 130, 220)):
        x0, y0, x1, y1 = line.box
        assert y0 <= y and y + 25 <= y1 and x0 <= 30 and 470 <= x1
    assert segment_lines(np.full((100, 100), 255, np.uint8)) == []


# --- whole pages through the shipped model ---------------------------------------------------
def test_a_page_without_xml_is_read_line_by_line(tmp_path):
    path, _, texts = _compose(tmp_path)
    rec = recog.load("handwriting")
    result = transcribe_regions(rec, read_page(path))
    assert [t.text for _, t in result] == [rec.alphabet.normalize(t) for t in texts]
    assert result.text.splitlines() == [t.text for _, t in result]
    assert [t.text for _, t in recog.transcribe_document(path)] == [t.text for _, t in result]


def test_page_xml_lines_with_a_slanted_one_are_read_and_written_back(tmp_path):
    path, boxes, texts = _compose(tmp_path, slant=4.0)
    xml = _page_xml(tmp_path, boxes, slant=4.0)
    rec = recog.load("handwriting")
    result = transcribe_regions(rec, read_page(path, xml))
    assert [t.text for _, t in result] == texts
    out = result.write(tmp_path / "out.xml")
    back = read_layout(out, path)
    assert [line.text for line in back.lines] == texts and [line.id for line in back.lines] == ["r1l1", "r1l2", "r1l3"]
    assert 'conf="' in out.read_text()
    alto = read_layout(result.write(tmp_path / "out.alto.xml", format="alto"), path)
    assert alto.format == "alto" and [line.text for line in alto.lines] == texts
    assert [line.box for line in alto.lines] == [line.box for line in back.lines]


def test_page_items_give_training_crops_with_their_text(tmp_path):
    path, boxes, texts = _compose(tmp_path)
    items = page_items([_page_xml(tmp_path, boxes, texts=texts)])
    assert [t for _, t, _ in items] == texts and items[0][2].endswith("page.xml#r1l1")
    rec = recog.load("handwriting")
    assert [rec.transcribe(c).text for c, _, _ in items] == texts


def test_recog_transcribe_reads_a_page_line_by_line_as_text_json_page_and_alto(tmp_path):
    path, boxes, texts = _compose(tmp_path)

    def run(*args):
        return subprocess.run([sys.executable, "-m", "recog", "transcribe", *map(str, args)], capture_output=True, text=True)

    out = run(path)
    assert out.returncode == 0 and out.stdout.splitlines() == texts, out.stderr
    piped = subprocess.run([sys.executable, "-m", "recog", "transcribe", "-"], input=path.read_bytes(), capture_output=True)
    assert piped.returncode == 0 and piped.stdout.decode().splitlines() == texts, piped.stderr
    doc = json.loads(run(path, "--format", "json").stdout)
    assert [d["text"] for d in doc["regions"]] == texts and all(len(d["box"]) == 4 and d["words"] for d in doc["regions"])
    assert doc["regions"][0]["box"][1] < doc["regions"][1]["box"][1] < doc["regions"][2]["box"][1]
    xml = _page_xml(tmp_path, boxes)
    alto = run("--lines", xml, "--format", "alto")
    assert alto.returncode == 0 and "<String" in alto.stdout and 'CONTENT="Straße"' in alto.stdout
    page = run(path, "--lines", xml, "--format", "page", "--output-dir", tmp_path / "out")
    assert page.returncode == 0 and [ln.text for ln in read_layout(tmp_path / "out" / "page.page.xml", path).lines] == texts
    bad = run("--lines", tmp_path / "missing.xml")
    assert bad.returncode != 0 and "missing.xml" in bad.stderr and "Traceback" not in bad.stderr
    blank = tmp_path / "blank.png"
    Image.fromarray(np.full((50, 50), 255, np.uint8)).save(blank)
    empty = run(blank, "--format", "page")
    assert empty.returncode == 0 and "<TextLine" not in empty.stdout and "no text lines found" in empty.stderr


def test_eval_and_fine_tune_read_page_xml_directly(tmp_path):
    path, boxes, texts = _compose(tmp_path)
    xml = _page_xml(tmp_path, boxes, texts=texts)
    report = recog.evaluate(xml, recog.load("handwriting"))
    assert report.n == 3 and report.references == texts and report.cer < 0.1, report.hypotheses
    out = subprocess.run([sys.executable, "-m", "recog", "eval", str(tmp_path), "--model", "handwriting", "--json"],
                         capture_output=True, text=True)
    assert out.returncode == 0 and json.loads(out.stdout)["n"] == 3, out.stderr
    from recog.recipe import DataConfig, train_from_manifests
    from recog.train import TrainConfig

    data = DataConfig(train=(str(xml),), dev=str(xml), frontend="image", normalizer=recog.TextNormalizer(case="keep"))
    bundle, result = train_from_manifests(data, {}, TrainConfig(epochs=1, batch_size=3, patience=0, max_steps=1,
                                                               lr=1e-5), tmp_path / "ft", init_from="handwriting")
    head = recog.Bundle.read_header(bundle)
    assert head["training"]["train_items"] == 3 and head["training"]["train_groups"] == 1


def test_a_page_given_as_one_line_is_refused_with_the_way_to_read_it(tmp_path):
    path, _, _ = _compose(tmp_path)
    with pytest.raises(recog.SeveralRegionsError, match=r"page.png: holds 3 text lines.*recog.transcribe_document"):
        recog.transcribe(path)
    from recog_image.segment import count_text_lines

    assert [count_text_lines(im) for im, _ in _samples()] == [1, 1, 1]


def test_no_real_line_image_counts_as_a_page(shared_data):
    """DHSD words and Hooker's letter lines (whose crops hold fragments of neighbouring lines) stay single lines."""
    from recog_image.segment import PAGE_LINES, count_text_lines

    for name in ("dhsd/all.jsonl", "hooker/test.jsonl"):
        manifest = shared_data / name
        rows = [json.loads(x) for x in manifest.read_text().splitlines()][:400]
        counts = [count_text_lines(np.asarray(Image.open(manifest.parent / r["path"]).convert("L"))) for r in rows]
        assert max(counts) < PAGE_LINES, name
