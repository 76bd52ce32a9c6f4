"""The recognition network: conv stem -> stacked bidirectional LSTM -> linear -> log-softmax (CTC, blank = 0).

The core knows nothing about audio or images: its input is a padded batch of feature maps
``(B, C, F, T)`` with valid lengths along T. Legend used in shapes below:
B batch, C channels, F feature height (mel bins or pixel rows), T time/width frames,
T' output frames after the stem's stride, H hidden units per direction, V vocabulary (blank included).

The backward LSTM direction runs on each sequence reversed *within its own length*, so padding
never leaks into valid outputs: a padded batch gives exactly the per-item results, in PyTorch and
in the exported ONNX graph alike.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn

from .errors import ConfigError

__all__ = ["ModelConfig", "ConvStem", "ResidualBlock", "grow_network", "grow_stem_blocks", "grow_stem_channels", "grow_hidden", "BiLSTMEncoder", "CTCModel", "reverse_padded", "conv_out_lengths"]


@dataclass(frozen=True)
class ModelConfig:
    """Shape of a :class:`CTCModel`."""

    vocab_size: int  # V: characters + 1 for the CTC blank
    in_channels: int = 1  # C of the frontend's features
    in_features: int = 80  # F: mel bins or line height in pixels
    stem_channels: tuple[int, ...] = (32, 32)  # output channels of each 3x3 conv layer
    stem_strides: tuple[tuple[int, int], ...] = ((2, 2), (2, 1))  # (F stride, T stride) per conv layer
    stem_blocks: int = 0  # residual blocks of two 3x3 convs after the last stem layer, at its resolution
    lstm_layers: int = 3  # stacked bidirectional LSTM layers
    hidden: int = 256  # H: LSTM units per direction
    dropout: float = 0.1  # between LSTM layers and before the output layer

    def __post_init__(self) -> None:
        # tuples survive a JSON round trip as lists; store them as tuples so configs compare equal
        object.__setattr__(self, "stem_channels", tuple(int(c) for c in self.stem_channels))
        object.__setattr__(self, "stem_strides", tuple(tuple(int(s) for s in st) for st in self.stem_strides))
        if len(self.stem_channels) != len(self.stem_strides):
            raise ConfigError("stem_channels and stem_strides must have one entry per conv layer")
        if self.stem_blocks < 0:
            raise ConfigError(f"stem_blocks must be 0 or more, got {self.stem_blocks}")
        if self.vocab_size < 2:
            raise ConfigError(f"vocab_size must be at least 2 (blank + one character), got {self.vocab_size}")
        if self.lstm_layers < 1 or self.hidden < 1:
            raise ConfigError("lstm_layers and hidden must be positive")
        if not 0.0 <= self.dropout < 1.0:
            raise ConfigError(f"dropout must be in [0, 1), got {self.dropout}")

    @property
    def time_stride(self) -> int:
        """Input frames per output frame."""
        s = 1
        for _, st in self.stem_strides:
            s *= st
        return s

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> ModelConfig:
        return cls(**d)


def conv_out_lengths(lengths: torch.Tensor, strides: tuple[int, ...]) -> torch.Tensor:
    """Valid lengths after a chain of kernel-3, padding-1 convolutions with the given strides."""
    for s in strides:
        lengths = torch.div(lengths - 1, s, rounding_mode="floor") + 1
    return lengths


def _time_mask(lengths: torch.Tensor, t: int) -> torch.Tensor:
    """(B, T) bool mask, True at valid frames."""
    return torch.arange(t, device=lengths.device)[None, :] < lengths[:, None]


def reverse_padded(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Reverse each sequence of ``x`` (B, T, D) within its valid length; padding stays in place."""
    t = x.shape[1]
    steps = torch.arange(t, device=x.device)[None, :]  # (1, T)
    rev = lengths[:, None] - 1 - steps  # (B, T)
    idx = torch.where(rev >= 0, rev, steps)  # (B, T)
    return torch.gather(x, 1, idx[:, :, None].expand_as(x))


class ResidualBlock(nn.Module):
    """Pre-activation residual block ``x + conv(act(bn(conv(act(bn(x))))))``: ``(B, C, F, T) -> (B, C, F, T)``.

    The second conv starts at zero, so a block added to a trained network leaves its output unchanged
    until training moves it (how ``stem_blocks`` grows a model, see :func:`grow_stem_blocks`). Padding
    frames are zeroed before each conv so they never reach valid frames.
    """

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.norm1 = nn.BatchNorm2d(channels)
        self.conv1 = nn.Conv2d(channels, channels, kernel_size=3, padding=1)
        self.norm2 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, kernel_size=3, padding=1)
        self.act = nn.GELU()
        nn.init.zeros_(self.conv2.weight)
        nn.init.zeros_(self.conv2.bias)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """``x`` (B, C, F, T) with zero padding frames; ``mask`` (B, 1, 1, T), 1 at valid frames."""
        h = self.conv1(self.act(self.norm1(x)) * mask)
        h = self.conv2(self.act(self.norm2(h)) * mask)
        return (x + h) * mask


class ConvStem(nn.Module):
    """3x3 conv layers with stride over (F, T), then ``stem_blocks`` residual blocks:
    ``(B, C, F, T) -> (B, T', C' * F')``."""

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        layers = []
        c_in, f = cfg.in_channels, cfg.in_features
        for c_out, (sf, st) in zip(cfg.stem_channels, cfg.stem_strides):
            layers.append(
                nn.Sequential(
                    nn.Conv2d(c_in, c_out, kernel_size=3, stride=(sf, st), padding=1),
                    nn.BatchNorm2d(c_out),
                    nn.GELU(),
                )
            )
            c_in = c_out
            f = (f - 1) // sf + 1
        self.layers = nn.ModuleList(layers)
        self.blocks = nn.ModuleList(ResidualBlock(c_in) for _ in range(cfg.stem_blocks))
        self.t_strides = tuple(st for _, st in cfg.stem_strides)
        self.out_dim = c_in * f

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        for layer, st in zip(self.layers, self.t_strides):
            x = layer(x)  # (B, C', F', T')
            lengths = conv_out_lengths(lengths, (st,))
            x = x.mul_(_time_mask(lengths, x.shape[-1])[:, None, None, :].to(x.dtype))  # zero padding frames, in place
        if len(self.blocks):
            mask = _time_mask(lengths, x.shape[-1])[:, None, None, :].to(x.dtype)  # (B, 1, 1, T')
            for block in self.blocks:
                x = block(x, mask)
        b, c, f, t = x.shape
        x = x.permute(0, 3, 1, 2).reshape(b, t, c * f)  # (B, T', C'*F')
        return x, lengths


class BiLSTMEncoder(nn.Module):
    """Stacked bidirectional LSTM over padded sequences: ``(B, T, D) -> (B, T, 2H)``."""

    def __init__(self, in_dim: int, hidden: int, layers: int, dropout: float) -> None:
        super().__init__()
        self.forward_layers = nn.ModuleList()
        self.backward_layers = nn.ModuleList()
        for i in range(layers):
            d = in_dim if i == 0 else 2 * hidden
            self.forward_layers.append(nn.LSTM(d, hidden, batch_first=True))
            self.backward_layers.append(nn.LSTM(d, hidden, batch_first=True))
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        for i, (fwd, bwd) in enumerate(zip(self.forward_layers, self.backward_layers)):
            if i > 0:
                x = self.dropout(x)
            y_f, _ = fwd(x)  # (B, T, H)
            y_b, _ = bwd(reverse_padded(x, lengths))  # (B, T, H), reversed time
            x = torch.cat([y_f, reverse_padded(y_b, lengths)], dim=-1)  # (B, T, 2H)
        return x


class CTCModel(nn.Module):
    """Conv stem -> :class:`BiLSTMEncoder` -> linear -> log-softmax over V (blank = 0)."""

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.config = cfg
        self.stem = ConvStem(cfg)
        self.encoder = BiLSTMEncoder(self.stem.out_dim, cfg.hidden, cfg.lstm_layers, cfg.dropout)
        self.dropout = nn.Dropout(cfg.dropout)
        self.output = nn.Linear(2 * cfg.hidden, cfg.vocab_size)

    def forward(self, features: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Log-probabilities per output frame.

        Args:
            features: (B, C, F, T) padded feature maps.
            lengths: (B,) valid frames per item along T.

        Returns:
            log_probs (B, T', V) and out_lengths (B,).
        """
        x, out_lengths = self.stem(features, lengths)  # (B, T', D)
        x = self.encoder(x, out_lengths)  # (B, T', 2H)
        logits = self.output(self.dropout(x))  # (B, T', V)
        return logits.log_softmax(dim=-1), out_lengths

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())


def grow_network(init_state: dict, fresh_state: dict) -> dict:
    """``init_state`` (a trained model's weights) grown to the network of ``fresh_state``: a wider conv stem
    (:func:`grow_stem_channels`), a wider LSTM (:func:`grow_hidden`) and more residual stem blocks
    (:func:`grow_stem_blocks`), each function-preserving. The output layer's rows (the vocabulary) are left
    as they are. Raises ValueError where the trained network is larger in any of these.
    """
    # stem first: the first LSTM layer reads the stem's channels
    return grow_stem_blocks(grow_hidden(grow_stem_channels(init_state, fresh_state), fresh_state), fresh_state)


def grow_stem_blocks(init_state: dict, fresh_state: dict) -> dict:
    """``init_state`` (a trained model's weights) plus the residual stem blocks it lacks, from ``fresh_state``.

    The new blocks' second convs are zero (see :class:`ResidualBlock`), so the grown network computes
    what the trained one did. Raises ValueError when ``init_state`` has blocks the fresh model lacks.
    """
    new = {k: v for k, v in fresh_state.items() if k.startswith("stem.blocks.") and k not in init_state}
    extra = [k for k in init_state if k.startswith("stem.blocks.") and k not in fresh_state]
    if extra:
        raise ValueError(f"the trained network has stem blocks the new one lacks ({extra[0]}, ...)")
    return {**init_state, **new}


def grow_stem_channels(init_state: dict, fresh_state: dict) -> dict:
    """``init_state`` (a trained model's weights) with its conv stem widened to the channels of ``fresh_state``.

    The Net2Net widening with zeros, as :func:`grow_hidden` does for the LSTM: each trained channel keeps its
    weights, a new channel gets the fresh model's random weights *in* (so it computes a feature from the start)
    and every weight *from* a new channel into a trained one is zero: the next conv layer's, the residual
    blocks' and the first LSTM layer's, whose input ``(B, T', C' * F')`` holds channel c at columns
    ``c * F' .. c * F' + F' - 1``, so the trained channels are its first ``C * F'`` columns. The grown network
    computes what the trained one did; training starts using the new channels through those zero weights.
    Shapes: conv weights ``(C_out, C_in, 3, 3)``, batch norms ``(C,)``, ``weight_ih`` of layer 0 ``(4H, C' * F')``.
    Returns ``init_state`` itself when no channel count changes; raises ValueError when one shrinks or the
    layer counts differ.
    """
    convs = sorted(k for k in fresh_state if k.startswith("stem.layers.") and k.endswith(".0.weight"))
    old_convs = sorted(k for k in init_state if k.startswith("stem.layers.") and k.endswith(".0.weight"))
    if convs != old_convs:
        raise ValueError(f"the trained stem has {len(old_convs)} conv layers, the new one {len(convs)}")
    old_c = [init_state[k].shape[0] for k in convs]
    new_c = [fresh_state[k].shape[0] for k in convs]
    if old_c == new_c:
        return init_state
    if any(o > n for o, n in zip(old_c, new_c)):
        raise ValueError(f"the stem only grows: the trained network has {old_c} channels, the new one {new_c}")
    out = dict(init_state)

    def widen(key: str, rows: int, cols: int | None = None) -> None:
        """Fresh tensor with the trained block at [:rows(, :cols)]; trained rows read zeros from new columns."""
        w = fresh_state[key].clone()
        if w.dim() == 0:  # num_batches_tracked
            w = init_state[key].clone()
        elif cols is None:  # per-channel: biases, norms
            w[:rows] = init_state[key]
        else:  # conv weights (C_out, C_in, 3, 3)
            w[:rows] = 0
            w[:rows, :cols] = init_state[key]
        out[key] = w

    c_in = init_state[convs[0]].shape[1]  # the frontend's channels, never grown
    for i, k in enumerate(convs):
        p = k[: -len("0.weight")]  # "stem.layers.i."
        widen(k, old_c[i], c_in)
        widen(p + "0.bias", old_c[i])
        for n in ("weight", "bias", "running_mean", "running_var", "num_batches_tracked"):
            widen(p + "1." + n, old_c[i])
        c_in = old_c[i]
    c = old_c[-1]
    # the trained blocks (new ones come whole from the fresh model: grow_stem_blocks)
    blocks = sorted({k.split(".")[2] for k in init_state if k.startswith("stem.blocks.")}, key=int)
    for b in blocks:
        p = f"stem.blocks.{b}."
        for norm in ("norm1.", "norm2."):
            for n in ("weight", "bias", "running_mean", "running_var", "num_batches_tracked"):
                widen(p + norm + n, c)
        for conv in ("conv1.", "conv2."):
            widen(p + conv + "weight", c, c)
            widen(p + conv + "bias", c)
    for side in ("forward", "backward"):
        key = f"encoder.{side}_layers.0.weight_ih_l0"  # (4H, C * F') -> (4H, C' * F'), new columns zero
        w = torch.zeros(init_state[key].shape[0], fresh_state[key].shape[1], dtype=init_state[key].dtype)  # H kept
        w[:, : init_state[key].shape[1]] = init_state[key]
        out[key] = w
    return out


def grow_hidden(init_state: dict, fresh_state: dict) -> dict:
    """``init_state`` (a trained model's weights) widened to the LSTM size H' of ``fresh_state`` (H <= H').

    Function-preserving (the widening of Net2Net, with zeros instead of copies): each trained unit keeps its
    weights, the new units get the fresh model's random weights, and every weight *from* a new unit into a
    trained one (recurrent, next layer, output layer) is zero. So the grown network computes what the trained
    one did, and training starts using the new units through those zero weights, whose gradients are not
    zero. Shapes: ``weight_ih`` (4H, D), ``weight_hh`` (4H, H), biases (4H,) per direction and layer (gates
    i, f, g, o in blocks of H rows); a layer above the first reads ``[forward H | backward H]``; ``output.weight``
    (V, 2H). Returns ``init_state`` itself when H = H'; raises ValueError when H > H' or the layer counts differ.
    """
    h_old = init_state["encoder.forward_layers.0.weight_hh_l0"].shape[1]
    h_new = fresh_state["encoder.forward_layers.0.weight_hh_l0"].shape[1]
    if h_old == h_new:
        return init_state
    layers, old_layers = _lstm_layers(fresh_state), _lstm_layers(init_state)
    if h_old > h_new:
        raise ValueError(f"the LSTM only grows: the trained network has {h_old} units per direction, the new one {h_new}")
    if layers != old_layers:
        raise ValueError(f"the trained network has {old_layers} LSTM layers, the new one {layers}")
    rows = torch.cat([torch.arange(h_old) + g * h_new for g in range(4)])  # old gate rows in the new layout (4H,)
    halves = torch.cat([torch.arange(h_old), torch.arange(h_old) + h_new])  # [fwd | bwd] columns, new layout (2H,)
    out = dict(init_state)
    for i in range(layers):
        for side in ("forward", "backward"):
            p = f"encoder.{side}_layers.{i}."
            w_ih = fresh_state[p + "weight_ih_l0"].clone()  # (4H', D'): new units' rows stay random
            trained = init_state[p + "weight_ih_l0"]  # (4H, D): a layer above the first reads [fwd H | bwd H]
            w_ih[rows] = trained if i == 0 else _spread(trained, halves, w_ih.shape[1])
            w_hh = fresh_state[p + "weight_hh_l0"].clone()  # (4H', H')
            w_hh[rows] = _spread(init_state[p + "weight_hh_l0"], torch.arange(h_old), h_new)
            out[p + "weight_ih_l0"], out[p + "weight_hh_l0"] = w_ih, w_hh
            for b in ("bias_ih_l0", "bias_hh_l0"):
                out[p + b] = fresh_state[p + b].clone()
                out[p + b][rows] = init_state[p + b]
    # (V_old, 2H'): the rows stay the trained vocabulary (grow_output_rows adds rows)
    out["output.weight"] = _spread(init_state["output.weight"], halves, 2 * h_new)
    return out


def _lstm_layers(state: dict) -> int:
    return sum(1 for k in state if k.startswith("encoder.forward_layers.") and k.endswith("weight_hh_l0"))


def _spread(w: torch.Tensor, columns: torch.Tensor, width: int) -> torch.Tensor:
    """``w`` (N, C) placed at ``columns`` of an (N, ``width``) zero matrix: a trained unit reads nothing from a new one."""
    out = torch.zeros(w.shape[0], width, dtype=w.dtype)
    out[:, columns] = w
    return out
