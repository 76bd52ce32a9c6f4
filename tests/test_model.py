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


@pytest.mark.parametrize("blocks", [0, 2])
def test_padding_never_leaks_into_valid_frames(blocks):
    m = _model(stem_strides=((2, 2), (2, 2)), stem_blocks=blocks)
    if blocks:  # trained blocks: their second convs no longer zero
        torch.manual_seed(1)
        for block in m.stem.blocks:
            torch.nn.init.normal_(block.conv2.weight, std=0.2)
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
    with pytest.raises(ConfigError, match="stem_blocks"):
        ModelConfig(vocab_size=5, stem_blocks=-1)
    old = {k: v for k, v in cfg.to_dict().items() if k != "stem_blocks"}  # a bundle from before stem_blocks
    assert ModelConfig.from_dict(old).stem_blocks == 0


def test_stem_blocks_grow_a_trained_model_without_changing_its_output():
    from recog.model import grow_stem_blocks

    base = _model()
    grown = _model(stem_blocks=2)
    assert grown.num_parameters() > base.num_parameters()
    grown.load_state_dict(grow_stem_blocks(base.state_dict(), grown.state_dict()))
    x, lengths = _batch(3, 50)
    assert torch.allclose(grown(x, lengths)[0], base(x, lengths)[0], atol=1e-6)
    with pytest.raises(ValueError, match="stem blocks the new one lacks"):
        grow_stem_blocks(grown.state_dict(), base.state_dict())


def test_grow_hidden_widens_a_trained_lstm_without_changing_its_output_and_the_new_units_learn():
    from recog.model import grow_hidden

    torch.manual_seed(0)
    base = CTCModel(ModelConfig(vocab_size=7, in_features=16, hidden=24, lstm_layers=3)).eval()
    wide = CTCModel(ModelConfig(vocab_size=7, in_features=16, hidden=40, lstm_layers=3)).eval()
    wide.load_state_dict(grow_hidden(base.state_dict(), wide.state_dict()))
    x, lengths = _batch(3, 50)
    assert torch.allclose(wide(x, lengths)[0], base(x, lengths)[0], atol=1e-5)
    # the new units are live: random weights in, zero weights out, and a gradient on those zeros
    assert wide.encoder.forward_layers[1].weight_ih_l0[24:40].abs().sum() > 0
    assert wide.output.weight[:, 24:40].abs().sum() == 0
    wide.train()
    lp, ol = wide(x, lengths)
    lp.sum().backward()
    assert wide.output.weight.grad[:, 24:40].abs().sum() > 0
    assert wide.output.weight.grad[:, 64:80].abs().sum() > 0  # the backward direction's new units
    same = base.state_dict()
    assert grow_hidden(same, same) is same
    with pytest.raises(ValueError, match="only grows"):
        grow_hidden(wide.state_dict(), base.state_dict())
    with pytest.raises(ValueError, match="3 LSTM layers, the new one 2"):
        grow_hidden(base.state_dict(), CTCModel(ModelConfig(vocab_size=7, in_features=16, hidden=40, lstm_layers=2)).state_dict())


def test_grow_stem_channels_widens_a_trained_stem_without_changing_its_output_and_the_new_channels_learn():
    from recog.model import grow_network, grow_stem_channels

    base = _model(stem_channels=(6, 8), stem_blocks=1)
    with torch.no_grad():  # a trained block: its second conv is no longer zero, its norms have statistics
        for p in base.stem.blocks[0].conv2.parameters():
            p.normal_(0, 0.2)
        for m in base.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.normal_(0, 0.3)
                m.running_var.uniform_(0.5, 2.0)
                m.weight.uniform_(0.5, 1.5)
    # wider stem, one more block and a wider LSTM at once, as a recipe may ask
    wide = CTCModel(ModelConfig(vocab_size=7, in_features=16, hidden=32, lstm_layers=2, stem_channels=(10, 12),
                                stem_blocks=2)).eval()
    wide.load_state_dict(grow_network(base.state_dict(), wide.state_dict()))
    x, lengths = _batch(3, 50)
    assert torch.allclose(wide(x, lengths)[0], base(x, lengths)[0], atol=1e-5)
    # the new channels compute features (random weights in) that nothing reads yet (zero weights out) ...
    assert wide.stem.layers[1][0].weight[8:].abs().sum() > 0
    assert wide.stem.layers[1][0].weight[:8, 6:].abs().sum() == 0
    d_old = 8 * 4  # trained channels x F' (16 rows -> 4)
    trained_units = torch.cat([torch.arange(24) + g * 32 for g in range(4)])  # their gate rows, widened layout
    assert wide.encoder.forward_layers[0].weight_ih_l0[trained_units, d_old:].abs().sum() == 0
    # ... and the loss has a gradient on those zeros, so training starts using them
    wide.train()
    wide(x, lengths)[0].sum().backward()
    assert wide.encoder.forward_layers[0].weight_ih_l0.grad[:, d_old:].abs().sum() > 0
    assert wide.stem.layers[1][0].weight.grad[:8, 6:].abs().sum() > 0  # trained channels start reading new ones
    same = base.state_dict()
    assert grow_stem_channels(same, same) is same
    with pytest.raises(ValueError, match="only grows"):
        grow_stem_channels(wide.state_dict(), base.state_dict())
    with pytest.raises(ValueError, match="2 conv layers, the new one 1"):
        grow_stem_channels(base.state_dict(), _model(stem_channels=(8,), stem_strides=((2, 2),)).state_dict())


@pytest.mark.parametrize("strides,blocks", [(((2, 2), (2, 1)), 0), (((2, 2), (2, 2)), 0), (((2, 2), (2, 1)), 1)])
def test_onnx_matches_pytorch(tmp_path, strides, blocks):
    m = _model(stem_strides=strides, stem_blocks=blocks)
    for block in m.stem.blocks:
        torch.nn.init.normal_(block.conv2.weight, std=0.2)
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
