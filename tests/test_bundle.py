import pytest
import torch
from safetensors.torch import save_file

from recog import Alphabet, Bundle, BundleError, CTCModel, ModelConfig, load


def _bundle():
    alpha = Alphabet(list("ab "))
    cfg = ModelConfig(vocab_size=len(alpha), in_features=8, hidden=8, lstm_layers=1, stem_channels=(4,), stem_strides=((2, 1),))
    torch.manual_seed(0)
    return Bundle(cfg, alpha, "toy", {"rows": 8, "frames_per_char": 3}, CTCModel(cfg).state_dict(), name="t",
                  training={"data": "toy"}, metrics={"dev": {"cer": 0.1}})


def test_round_trip_keeps_everything(tmp_path):
    b = _bundle()
    path = b.save(tmp_path / "m.safetensors")
    back = Bundle.load(path)
    assert back.model_config == b.model_config and back.alphabet == b.alphabet
    assert back.frontend == "toy" and back.frontend_config == b.frontend_config
    assert back.training == {"data": "toy"} and back.metrics == {"dev": {"cer": 0.1}}
    for k, v in b.state_dict.items():
        assert torch.equal(back.state_dict[k], v)
    assert not (tmp_path / "m.safetensors.tmp").exists()


def test_half_precision_halves_size(tmp_path):
    b = _bundle()
    full = b.save(tmp_path / "f.safetensors").stat().st_size
    half = b.save(tmp_path / "h.safetensors", half=True).stat().st_size
    assert half < 0.7 * full
    back = Bundle.load(tmp_path / "h.safetensors")
    assert back.state_dict["output.weight"].dtype == torch.float32


def test_bad_bundles_name_the_file(tmp_path):
    with pytest.raises(BundleError, match="missing.safetensors: no such bundle"):
        Bundle.load(tmp_path / "missing.safetensors")
    junk = tmp_path / "junk.safetensors"
    junk.write_bytes(b"\x00" * 100)
    with pytest.raises(BundleError, match="junk.safetensors: not a readable"):
        Bundle.load(junk)
    foreign = tmp_path / "foreign.safetensors"
    save_file({"w": torch.zeros(2)}, str(foreign))
    with pytest.raises(BundleError, match="not a recog bundle"):
        Bundle.load(foreign)
    good = _bundle().save(tmp_path / "trunc.safetensors")
    data = good.read_bytes()
    good.write_bytes(data[: len(data) // 2])
    with pytest.raises(BundleError, match="trunc.safetensors"):
        Bundle.load(good)


def test_weights_that_do_not_fit_the_config(tmp_path):
    b = _bundle()
    b.state_dict = {k: v for k, v in b.state_dict.items() if not k.startswith("output")}
    path = b.save(tmp_path / "x.safetensors")
    with pytest.raises(BundleError, match="x.safetensors: weights do not fit"):
        load(path)


def test_unknown_model_name():
    from recog import ModelNotFoundError

    with pytest.raises(ModelNotFoundError, match="no-such-model"):
        load("no-such-model")


def test_a_bundle_with_nan_weights_is_refused_by_name(tmp_path):
    import torch

    from recog import Alphabet, Bundle, BundleError, ModelConfig

    cfg = ModelConfig(vocab_size=3, hidden=4, lstm_layers=1, stem_channels=(2,), stem_strides=((2, 1),), in_features=8)
    from recog import CTCModel

    state = CTCModel(cfg).state_dict()
    state["output.bias"] = torch.full_like(state["output.bias"], float("nan"))
    path = Bundle(cfg, Alphabet(list("ab")), "audio", {}, state, name="x").save(tmp_path / "nan.safetensors")
    with pytest.raises(BundleError, match=r"nan.safetensors: .*not finite .* output.bias"):
        Bundle.load(path)
