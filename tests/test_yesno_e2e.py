"""End to end on real speech: train from scratch on OpenSLR yes/no (48 files), score the 12 held out via `recog eval`."""

import json
import random

import pytest

from recog.cli import main

RECIPE = {
    "data": {"frontend": "audio", "dev_fraction": 0, "name": "yesno",
             "frontend_config": {"sample_rate": 8000, "n_fft": 200, "hop": 80, "n_mels": 40}},
    "model": {"hidden": 64, "lstm_layers": 2, "stem_channels": [16, 16], "stem_strides": [[2, 2], [2, 2]], "dropout": 0.1},
    "train": {"epochs": 30, "batch_size": 4, "lr": 0.003, "warmup_steps": 30, "patience": 0, "seed": 0},
}


def _split(shared, tmp_path):
    lines = (shared / "yesno" / "all.jsonl").read_text().splitlines()
    assert len(lines) == 60
    random.Random(0).shuffle(lines)
    out = {}
    for name, part in (("train", lines[:48]), ("test", lines[48:])):
        rows = [dict(json.loads(x)) for x in part]
        for r in rows:
            r["path"] = str(shared / "yesno" / r["path"])
        out[name] = tmp_path / f"{name}.jsonl"
        out[name].write_text("".join(json.dumps(r) + "\n" for r in rows))
    return out


@pytest.mark.slow
def test_yesno_trains_and_scores_on_held_out_files(shared_data, tmp_path, capsys):
    m = _split(shared_data, tmp_path)
    recipe = tmp_path / "recipe.json"
    recipe.write_text(json.dumps(RECIPE))
    assert main(["train", "--train", str(m["train"]), "--recipe", str(recipe), "--out", str(tmp_path / "run"), "--quiet"]) == 0
    trained = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert trained["steps"] == 30 * 12
    assert main(["eval", str(m["test"]), "--model", trained["bundle"], "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    print(f"yesno: trained in {trained['wall_seconds']} s; held-out {report}")
    assert report["n"] == 12
    assert report["wer"] <= 0.05, report
    assert report["rtf"] < 1.0
