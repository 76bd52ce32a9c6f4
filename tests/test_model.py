import numpy as np
import onnxruntime as ort
import pytest
import torch

from recog import ConfigError, CTCModel, ModelConfig
from recog.export import export_encoder_onnx
from recog.model import conv_out_lengths, reverse_padded


def _model(**kw):
    torch.manual_seed(0)
    return CTCModel(ModelConfig(vocab_size=7, in_features=16, hidden=24, lstm_layers=2, **kw)).eval()


def _batch(b, t, f=16, seed=0):
    g = torch.Generator().manual_seed(seed)
    lengths = torch.randint(t // 3, t + 1, (b,), generator=g)
    lengths[0] = t
    x = torch.randn(b, 1, f, t, generator=g)
    for i in range(b):
        x[i, :, :, lengths[i]:] = 0
    return x, lengths


def test_shapes_and_log_softmax():
    m = _model()
    x, lengths = _batch(3, 41)
    lp, ol = m(x, lengths)
    assert lp.shape == (3, 21, 7)  # time stride 2
    assert torch.equal(ol, conv_out_lengths(lengths, (2, 1)))
    assert torch.allclose(lp.exp().sum(-1), torch.ones(3, 21), atol=1e-5)


def test_padding_never_leaks_into_valid_frames():
    m = _model(stem_strides=((2, 2), (2, 2)))
    x, lengths = _batch(4, 64)
    lp, ol = m(x, lengths)
    for i in range(4):
        alone, ol1 = m(x[i : i + 1, :, :, : lengths[i]], lengths[i : i + 1])
        assert ol1.item() == ol[i].item()
        assert torch.allclose(alone[0], lp[i, : ol[i]], atol=1e-5)


def test_reverse_padded():
    x = torch.arange(10.0).reshape(2, 5, 1)
    r = reverse_padded(x, torch.tensor([5, 3]))
    assert r[:, :, 0].tolist() == [[4, 3, 2, 1, 0], [7, 6, 5, 8, 9]]


def test_config_validation_and_round_trip():
    cfg = ModelConfig(vocab_size=5, stem_strides=((2, 2), (1, 2)))
    assert cfg.time_stride == 4
    assert ModelConfig.from_dict(cfg.to_dict()) == cfg
    with pytest.raises(ConfigError):
        ModelConfig(vocab_size=5, stem_channels=(8,), stem_strides=((2, 2), (2, 2)))
    with pytest.raises(ConfigError):
        ModelConfig(vocab_size=1)


@pytest.mark.parametrize("strides", [((2, 2), (2, 1)), ((2, 2), (2, 2))])
def test_onnx_matches_pytorch(tmp_path, strides):
    m = _model(stem_strides=strides)
    path = export_encoder_onnx(m, tmp_path / "m.onnx", metadata={"alphabet": "abc"})
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    assert "alphabet" in sess.get_modelmeta().custom_metadata_map
    for b, t in ((1, 37), (5, 90)):  # two batch sizes, two lengths, padded items included
        x, lengths = _batch(b, t, seed=b)
        ref, ref_len = m(x, lengths)
        out, out_len = sess.run(None, {"features": x.numpy(), "lengths": lengths.numpy()})
        assert np.array_equal(out_len, ref_len.numpy())
        for i in range(b):
            n = int(ref_len[i])
            assert np.abs(out[i, :n] - ref[i, :n].detach().numpy()).max() < 1e-4
