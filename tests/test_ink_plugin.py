"""The sample third-party plugin under samples/plugins/recog-ink: pen strokes read by the handwriting model.

The strokes are made from the project's own line sample (one short horizontal stroke per run of ink pixels in a
row), so the expected text is known.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import recog
from recog.testing import check_frontend, registered_plugin

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "samples" / "plugins" / "recog-ink"))  # as `pip install samples/plugins/recog-ink` would

from recog_ink import plugin as ink_plugin  # noqa: E402
from recog_ink.frontend import InkFrontend  # noqa: E402


def _strokes_of(png: Path) -> list:
    ink = np.asarray(Image.open(png).convert("L")) < 128
    strokes = []
    for y, row in enumerate(ink):
        d = np.diff(np.concatenate([[0], row.astype(np.int8), [0]]))
        for a, b in zip(np.flatnonzero(d == 1), np.flatnonzero(d == -1)):
            strokes.append([[float(a), float(y)], [float(b - 1), float(y)]])
    return strokes


@pytest.fixture
def ink(tmp_path):
    with registered_plugin(ink_plugin, "ink-test"):
        path = tmp_path / "hello.ink"
        path.write_text(json.dumps({"strokes": _strokes_of(ROOT / "samples" / "handwriting" / "hello_world.png")}))
        yield path


def test_the_sample_plugin_passes_the_contract_check(ink, tmp_path):
    check_frontend(InkFrontend, ink, missing=tmp_path / "nope.ink")


def test_pen_strokes_are_read_by_the_handwriting_model(ink):
    assert recog.default_model_for(ink) == "handwriting"
    assert recog.transcribe(ink).text == "hello world"
    doc = json.loads(ink.read_text())
    assert recog.load("handwriting").transcribe(doc).text == "hello world"  # an in-memory dict too


@pytest.mark.parametrize("body, match", [
    ('{"strokes": []}', "no strokes"),
    ('{"strokes": [[[1, 2], [3]]]}', "stroke 0 is not a list of"),
    ('{"strokes": [[[1, NaN]]]}', "stroke 0 has a point that is not a finite number"),
    ('{"pen": 1}', 'expected a JSON object {"strokes"'),
    ('{"strokes": [[[1, 2]]', "not JSON ink"),
])
def test_bad_ink_is_a_one_line_error_naming_the_file(ink, tmp_path, body, match):
    bad = tmp_path / "bad.ink"
    bad.write_text(body)
    with pytest.raises(recog.InputError, match=match) as info:
        recog.load("handwriting").transcribe(bad)
    assert "bad.ink" in str(info.value)


def test_the_package_declares_its_entry_point():
    text = (ROOT / "samples" / "plugins" / "recog-ink" / "pyproject.toml").read_text()
    assert '[project.entry-points.recog]\nink = "recog_ink.plugin"' in text
