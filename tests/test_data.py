"""Manifests (recog.data.read_manifest): typed validation with line numbers, encodings, and what is not a manifest."""

import json

import pytest

from recog import DataError
from recog.data import read_manifest


def _m(tmp_path, body: bytes | str, name="m.jsonl"):
    p = tmp_path / name
    p.write_bytes(body if isinstance(body, bytes) else body.encode("utf-8"))
    return p


def test_a_good_manifest_with_a_bom_and_numeric_speakers(tmp_path):
    rows = [{"path": "a.wav", "text": "Straße", "speaker": 7, "duration": 1.5}, {"path": "b.wav", "text": "x", "writer": "w1"}]
    body = "\ufeff" + "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n\n"
    utts = read_manifest(_m(tmp_path, body))
    assert [u.text for u in utts] == ["Straße", "x"] and [u.group for u in utts] == ["7", "w1"]
    assert utts[0].path == tmp_path / "a.wav" and utts[0].duration == 1.5


def test_item_names_fold_parent_steps_but_sources_win(tmp_path):
    (tmp_path / "splits").mkdir()
    body = '{"path": "../../data/a.wav", "text": "a"}\n{"path": "b.wav", "text": "b"}\n'
    a, b = read_manifest(_m(tmp_path / "splits", body))
    assert a.name == str(tmp_path.parent / "data" / "a.wav") and ".." not in a.name
    assert b.name == str(tmp_path / "splits" / "b.wav")
    a.extra["source"] = "page.xml#l1"
    assert a.name == "page.xml#l1"


@pytest.mark.parametrize("line, match", [
    ('{"path": 3, "text": "a"}', r"m.jsonl:2: 'path' must be a string, got a number"),
    ('{"path": ["a"], "text": "a"}', r"m.jsonl:2: 'path' must be a string, got a list"),
    ('{"path": null, "text": "a"}', r"m.jsonl:2: 'path' must be a string, got null"),
    ('{"path": "a.wav", "text": 5}', r"m.jsonl:2: 'text' must be a string, got a number"),
    ('{"path": " ", "text": "a"}', r"m.jsonl:2: 'path' is empty"),
    ('{"path": "a.wav", "text": "a", "speaker": {"id": 1}}', r"m.jsonl:2: 'speaker'/'writer' must be a string or number"),
    ('{"path": "a.wav", "text": "a", "duration": "long"}', r"m.jsonl:2: 'duration' must be a number, got a string"),
    ('{"path": "a.wav"}', r"m.jsonl:2: each line needs 'path' and 'text'"),
    ('[1, 2]', r"m.jsonl:2: each line needs 'path' and 'text'"),
    ('{"path": "a.wav", "text": "a"', r"m.jsonl:2: not valid JSON"),
])
def test_bad_lines_name_the_file_line_and_problem(tmp_path, line, match):
    with pytest.raises(DataError, match=match):
        read_manifest(_m(tmp_path, '{"path": "ok.wav", "text": "ok"}\n' + line + "\n"))


def test_other_encodings_folders_and_missing_files_are_clear(tmp_path):
    latin1 = '{"path": "a.wav", "text": "ok"}\n{"path": "b.wav", "text": "Stra\xdfe"}\n'.encode("latin-1")
    with pytest.raises(DataError, match=r"m.jsonl:2: not UTF-8 \(byte 0xdf\)"):
        read_manifest(_m(tmp_path, latin1))
    with pytest.raises(DataError, match="a folder, not a manifest"):
        read_manifest(tmp_path)
    with pytest.raises(DataError, match="nope.jsonl: manifest not found"):
        read_manifest(tmp_path / "nope.jsonl")
    with pytest.raises(DataError, match="manifest is empty"):
        read_manifest(_m(tmp_path, "\n\n", "e.jsonl"))
