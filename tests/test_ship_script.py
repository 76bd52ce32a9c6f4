"""bench/ship.sh: the ship pipeline's steps in order (DRY=1), and clear refusals of bad arguments."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _ship(*args, dry=True):
    env = dict(os.environ, DRY="1") if dry else dict(os.environ)
    return subprocess.run(["bash", str(ROOT / "bench" / "ship.sh"), *map(str, args)], capture_output=True, text=True, env=env)


def test_dry_run_lists_the_handwriting_pipeline_in_order(tmp_path):
    bundle = ROOT / "plugins" / "recog_image" / "models" / "handwriting.safetensors"
    note = tmp_path / "note.txt"
    note.write_text("2026-12-07, runs/x: a note", encoding="utf-8")
    res = _ship("handwriting", bundle, note)
    assert res.returncode == 0, res.stderr
    steps = [line.split(" ", 2)[2] for line in res.stdout.splitlines() if line.startswith("== ")]
    against = "--model handwriting --against runs/ship_base/handwriting.safetensors"
    order = ["snapshot plugins/recog_image/models", "bench/ship.py", "build_lms.sh handwriting",
             "exports/build.sh handwriting", "--survey handwriting", "bench/handwriting.py --record",
             "exports/build.sh handwriting", "handwriting_dev.jsonl " + against, "hooker_test.jsonl " + against,
             "dhsd_test.jsonl " + against, "synth_hw_test/all.jsonl " + against, "-m pytest", "--report 10 --by page",
             "done"]
    assert len(steps) == len(order) and all(word in step for word, step in zip(order, steps))
    assert "--note 2026-12-07, runs/x: a note" in steps[1] and "hooker_test=runs/splits/hooker_test.jsonl" in steps[1]
    assert "--decoder greedy --engine torch" in steps[7] and "--decoder" not in steps[8]  # dev greedy; tests as shipped
    assert "tests/test_shipped_models.py" in steps[11] and "tests/test_tts.py" not in steps[11]
    assert "git checkout -- plugins exports" in res.stdout


def test_bad_arguments_are_refused_with_the_reason(tmp_path):
    res = _ship("handwriting", tmp_path / "missing.safetensors")
    assert res.returncode == 2 and "missing.safetensors: no such bundle" in res.stderr
    bundle = tmp_path / "b.safetensors"
    bundle.write_bytes(b"x")
    res = _ship("handwriting", bundle, tmp_path / "nonote.txt")
    assert res.returncode == 2 and "nonote.txt: no such note file" in res.stderr
    res = _ship("ocr", bundle)
    assert res.returncode == 2 and "unknown model 'ocr'" in res.stderr
    res = _ship("speech")
    assert res.returncode == 2 and "usage" in res.stderr


def test_ship_py_refuses_a_missing_test_set_before_writing_anything(tmp_path):
    """A fresh machine without the test renders: bench/ship.py names the manifest and leaves the target alone."""
    bundle = ROOT / "plugins" / "recog_image" / "models" / "handwriting.safetensors"
    out = tmp_path / "shipped.safetensors"
    cmd = [sys.executable, str(ROOT / "bench" / "ship.py"), str(bundle), str(out)]
    res = subprocess.run([*cmd, "--test", f"fonts={tmp_path / 'nope.jsonl'}"], capture_output=True, text=True)
    assert res.returncode == 2 and "nope.jsonl: no such manifest" in res.stderr and "Traceback" not in res.stderr
    res = subprocess.run([*cmd, "--test", "fonts"], capture_output=True, text=True)
    assert res.returncode == 2 and "expected NAME=MANIFEST" in res.stderr
    assert not out.exists()
