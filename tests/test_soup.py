"""bench/soup.py: averaging bundles of one network, and a grown fine-tune with its narrower parent."""

import sys

import pytest
import torch

from recog import Alphabet, Bundle, CTCModel, ModelConfig
from recog.model import grow_network
from conftest import load_bench_script


@pytest.fixture(scope="module")
def soup():
    return load_bench_script("soup")


def _cfg(**kw) -> ModelConfig:
    return ModelConfig(**{"vocab_size": 4, "in_features": 8, "hidden": 6, "lstm_layers": 2, "stem_channels": (4, 4),
                          "stem_strides": ((2, 1), (2, 1)), "stem_blocks": 1, **kw})


def _bundle(cfg: ModelConfig, state: dict, chars: str = "ab ") -> Bundle:
    return Bundle(cfg, Alphabet(list(chars)), "toy", {}, state, name="t")


def _run(soup, monkeypatch, *args) -> None:
    monkeypatch.setattr(sys, "argv", ["soup.py", *map(str, args)])
    soup.main()


def _logp(cfg: ModelConfig, state: dict) -> torch.Tensor:
    m = CTCModel(cfg).eval()
    m.load_state_dict(state)
    x = torch.randn(2, 1, 8, 30, generator=torch.Generator().manual_seed(1))
    return m(x, torch.tensor([30, 21]))[0]


def _perturbed(state: dict, seed: int) -> dict:
    g = torch.Generator().manual_seed(seed)
    return {k: v + 0.1 * torch.randn(v.shape, generator=g) if v.is_floating_point() else v for k, v in state.items()}


def test_soup_of_one_network_is_the_mean_of_its_weights(soup, monkeypatch, tmp_path):
    torch.manual_seed(0)
    a = CTCModel(_cfg()).state_dict()
    b = _perturbed(a, 2)
    _bundle(_cfg(), a).save(tmp_path / "a.safetensors")
    _bundle(_cfg(), b).save(tmp_path / "b.safetensors")
    _run(soup, monkeypatch, tmp_path / "s.safetensors", tmp_path / "a.safetensors", tmp_path / "b.safetensors")
    out = Bundle.load(tmp_path / "s.safetensors")
    k = "encoder.forward_layers.1.weight_hh_l0"
    assert torch.allclose(out.state_dict[k], (a[k] + b[k]) / 2)
    assert out.training["soup_of"][1].endswith("b.safetensors")


def test_a_grown_fine_tune_averages_with_its_narrower_parent(soup, monkeypatch, tmp_path, capsys):
    torch.manual_seed(0)
    narrow, wide = _cfg(), _cfg(hidden=10, stem_channels=(4, 6))
    parent = _perturbed(CTCModel(narrow).state_dict(), 3)  # "trained": blocks and all weights non-trivial
    child = grow_network(parent, CTCModel(wide).state_dict())  # the fine-tune's start: the parent's function
    _bundle(wide, child).save(tmp_path / "child.safetensors")
    _bundle(narrow, parent).save(tmp_path / "parent.safetensors")
    _run(soup, monkeypatch, tmp_path / "s.safetensors", tmp_path / "child.safetensors", tmp_path / "parent.safetensors")
    assert "widened to 10 LSTM units, stem channels [4, 6]" in capsys.readouterr().out
    out = Bundle.load(tmp_path / "s.safetensors")
    assert out.model_config == wide
    # an untrained child computes its parent's function, and so does its average with the parent
    assert torch.allclose(_logp(wide, out.state_dict), _logp(narrow, parent), atol=1e-5)
    # once the child has moved, the average is the mean of the child and the parent widened with the child's new
    # units: those keep the child's weights in and get half its weights out
    moved = _perturbed(child, 4)
    _bundle(wide, moved).save(tmp_path / "child.safetensors")
    _run(soup, monkeypatch, tmp_path / "s.safetensors", tmp_path / "child.safetensors", tmp_path / "parent.safetensors")
    out = Bundle.load(tmp_path / "s.safetensors").state_dict
    w = "output.weight"  # (V, 2H): columns 6..9 are the forward direction's new units
    assert torch.allclose(out[w][:, 6:10], moved[w][:, 6:10] / 2)
    assert torch.allclose(out[w][:, :6], (moved[w][:, :6] + parent[w][:, :6]) / 2)
    ih = "encoder.forward_layers.0.weight_ih_l0"  # rows 6..9 of each gate block: the new units' input weights
    assert torch.allclose(out[ih][6:10], moved[ih][6:10])


def test_soup_refuses_other_networks_and_a_narrow_first_bundle(soup, monkeypatch, tmp_path):
    torch.manual_seed(0)
    narrow, wide = _cfg(), _cfg(hidden=10)
    parent = CTCModel(narrow).state_dict()
    _bundle(narrow, parent).save(tmp_path / "parent.safetensors")
    _bundle(wide, grow_network(parent, CTCModel(wide).state_dict())).save(tmp_path / "child.safetensors")
    with pytest.raises(SystemExit, match="child.safetensors: .*only grows.*put the widest bundle first"):
        _run(soup, monkeypatch, tmp_path / "s.safetensors", tmp_path / "parent.safetensors", tmp_path / "child.safetensors")
    _bundle(_cfg(lstm_layers=3), CTCModel(_cfg(lstm_layers=3)).state_dict()).save(tmp_path / "deep.safetensors")
    with pytest.raises(SystemExit, match="deep.safetensors: another network"):
        _run(soup, monkeypatch, tmp_path / "s.safetensors", tmp_path / "parent.safetensors", tmp_path / "deep.safetensors")
    _bundle(narrow, parent, chars="abc").save(tmp_path / "abc.safetensors")
    with pytest.raises(SystemExit, match="abc.safetensors: another network"):
        _run(soup, monkeypatch, tmp_path / "s.safetensors", tmp_path / "parent.safetensors", tmp_path / "abc.safetensors")
    assert not (tmp_path / "s.safetensors").exists()
