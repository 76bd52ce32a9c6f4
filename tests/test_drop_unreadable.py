"""bench/drop_unreadable.py: which training lines it keeps, and that it refuses an items file of another manifest."""

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "bench" / "drop_unreadable.py"


def _jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _run(*args):
    return subprocess.run([sys.executable, str(SCRIPT), *map(str, args)], capture_output=True, text=True)


def test_keeps_short_and_readable_lines_and_drops_the_unreadable(tmp_path):
    rows = [{"path": f"{i}.jpg", "text": t, "page": p} for i, (t, p) in
            enumerate([("a long readable line", "p1"), ("a long unreadable line", "p2"), ("short", "p2"),
                       ("exactly half wrong!!", "p1")])]
    errors = [1, 15, 5, 10]  # 5%, 68%, 100% of 5 characters (too short to judge), 50% (not over the limit)
    items = [{"name": r["path"], "ref": r["text"], "char_errors": e, "chars": len(r["text"])} for r, e in zip(rows, errors)]
    out = tmp_path / "clean.jsonl"
    res = _run(_jsonl(tmp_path / "m.jsonl", rows), _jsonl(tmp_path / "items.jsonl", items), "--out", out)
    assert res.returncode == 0, res.stderr
    kept = [json.loads(line)["path"] for line in out.read_text(encoding="utf-8").splitlines()]
    assert kept == ["0.jpg", "2.jpg", "3.jpg"]
    assert "kept 3 of 4 lines; dropped 1" in res.stdout and "p2: 1" in res.stdout


def test_an_items_file_of_another_manifest_is_refused(tmp_path):
    rows = [{"path": "a.jpg", "text": "one line"}, {"path": "b.jpg", "text": "another"}]
    m = _jsonl(tmp_path / "m.jsonl", rows)
    short = _jsonl(tmp_path / "short.jsonl", [{"name": "a.jpg", "ref": "one line", "char_errors": 0, "chars": 8}])
    res = _run(m, short, "--out", tmp_path / "o.jsonl")
    assert res.returncode != 0 and "1 items, but" in res.stderr and "has 2 rows" in res.stderr
    other = _jsonl(tmp_path / "other.jsonl", [{"name": "a.jpg", "ref": "one line", "char_errors": 0, "chars": 8},
                                               {"name": "c.jpg", "ref": "else", "char_errors": 0, "chars": 4}])
    res = _run(m, other, "--out", tmp_path / "o.jsonl")
    assert res.returncode != 0 and "c.jpg does not match" in res.stderr
    assert not (tmp_path / "o.jsonl").exists()


def test_list_out_names_the_dropped_lines(tmp_path):
    rows = [{"path": "x/keep.jpg", "text": "a long readable line"}, {"path": "x/gone.jpg", "text": "a long unreadable line"}]
    items = [{"name": r["path"], "ref": r["text"], "char_errors": e, "chars": len(r["text"])} for r, e in zip(rows, [0, 20])]
    names = tmp_path / "dropped.txt"
    res = _run(_jsonl(tmp_path / "m.jsonl", rows), _jsonl(tmp_path / "items.jsonl", items),
               "--out", tmp_path / "o.jsonl", "--list-out", names)
    assert res.returncode == 0, res.stderr
    assert [n for n in names.read_text(encoding="utf-8").splitlines() if not n.startswith("#")] == ["gone.jpg"]


def test_splits_write_the_clean_hooker_training_list(shared_data, tmp_path):
    """bench/splits.py drops exactly the lines of bench/hooker_unreadable.txt from Hooker train, nothing else."""
    root = Path(__file__).resolve().parents[1]
    res = subprocess.run([sys.executable, str(root / "bench" / "splits.py"), "--data", str(shared_data), "--out", str(tmp_path)],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    listed = {n for n in (root / "bench" / "hooker_unreadable.txt").read_text(encoding="utf-8").splitlines()
              if n and not n.startswith("#")}
    train = [Path(json.loads(x)["path"]).name for x in (tmp_path / "hooker_train.jsonl").read_text().splitlines()]
    clean = [Path(json.loads(x)["path"]).name for x in (tmp_path / "hooker_train_clean.jsonl").read_text().splitlines()]
    assert len(listed) == 162 and listed <= set(train)
    assert clean == [n for n in train if n not in listed]
