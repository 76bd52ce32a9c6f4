"""The plugin recipe of the README, run as written: a .npy frontend registered, checked by recog.testing,
trained on and transcribed with."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import numpy as np
import pytest

import recog
from recog.testing import check_frontend, registered_plugin

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def npy_plugin(tmp_path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Writing a plugin"):]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    path = tmp_path / "npy_recog_plugin.py"
    path.write_text(code, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("npy_recog_plugin", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with registered_plugin(module, "npy-readme"):
        yield module


def _corpus(folder: Path, n: int, seed: int) -> Path:
    """Each character k of "ab " lights row k for 4 frames; a quiet frame follows."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for i in range(n):
        text = " ".join("".join(rng.choice(list("ab"), rng.integers(1, 4))) for _ in range(rng.integers(1, 3)))
        x = np.zeros((16, 5 * len(text)), np.float32)
        for j, c in enumerate(text):
            x["ab ".index(c), 5 * j : 5 * j + 4] = 1.0
        np.save(folder / f"{i}.npy", x)
        rows.append(json.dumps({"path": f"{i}.npy", "text": text, "speaker": f"s{i % 4}"}))
    (folder / "all.jsonl").write_text("\n".join(rows) + "\n")
    return folder / "all.jsonl"


def test_the_readme_frontend_passes_the_contract_check(npy_plugin, tmp_path):
    m = _corpus(tmp_path / "d", 2, 0)
    feats = check_frontend(npy_plugin.NpyFrontend, m.parent / "0.npy", missing=tmp_path / "nope.npy")
    assert feats.data.shape[:2] == (1, 16)
    with pytest.raises(recog.CorruptInputError, match=r"bad.npy.*expected \(16, T\)"):
        np.save(tmp_path / "bad.npy", np.zeros((3, 4)))
        npy_plugin.NpyFrontend().load(tmp_path / "bad.npy")


def test_the_contract_check_names_a_broken_rule(npy_plugin, tmp_path):
    class Wrong(npy_plugin.NpyFrontend):
        @property
        def in_features(self):
            return 8

    m = _corpus(tmp_path / "d", 1, 0)
    with pytest.raises(AssertionError, match=r"Wrong: F is in_features \(8\), got 16"):
        check_frontend(Wrong, m.parent / "0.npy")


@pytest.mark.slow
def test_a_model_trains_on_the_readme_frontend_and_transcribes(npy_plugin, tmp_path):
    from recog.recipe import DataConfig, train_from_manifests
    from recog.train import TrainConfig

    m = _corpus(tmp_path / "d", 120, 1)
    data = DataConfig(train=(str(m),), frontend="npy", dev_fraction=0.25)
    cfg = TrainConfig(epochs=20, batch_size=8, lr=3e-3, warmup_steps=20, patience=0, checkpoint_every=1000)
    model = {"hidden": 24, "lstm_layers": 1, "stem_channels": [8], "stem_strides": [[2, 1]], "dropout": 0.1}
    path, result = train_from_manifests(data, model, cfg, tmp_path / "run")
    assert result.best_dev["cer"] < 0.1, result.best_dev
    x = np.zeros((16, 25), np.float32)
    for j, c in enumerate("ab ba"):
        x["ab ".index(c), 5 * j : 5 * j + 4] = 1.0
    np.save(tmp_path / "x.npy", x)
    assert recog.load(path).transcribe(tmp_path / "x.npy").text == "ab ba"
