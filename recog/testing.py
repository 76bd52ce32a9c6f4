"""Helpers for plugin authors' tests: register a plugin for one test, and check a frontend against the contract.

    from recog.testing import registered_plugin, check_frontend

    def test_my_frontend(tmp_path):
        with registered_plugin(my_package.recog_plugin, "myinput"):
            check_frontend(MyFrontend, good_input, missing=tmp_path / "nope.xyz")

:func:`check_frontend` raises ``AssertionError`` with a message that says which rule is broken.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

import torch

from .errors import InputError, RecogError
from .frontend import Features, Frontend
from .plugins import get_host

__all__ = ["registered_plugin", "check_frontend"]


@contextlib.contextmanager
def registered_plugin(plugin: Any, name: str) -> Iterator[None]:
    """Register ``plugin`` (a module or object with hook implementations) with the engine for the ``with`` block."""
    host = get_host()
    host.register(plugin, name=name)
    try:
        yield
    finally:
        host.unregister(name)


def check_frontend(cls: type[Frontend], source: Any, *, missing: str | os.PathLike | None = None) -> Features:
    """Check ``cls`` against the frontend contract on one good input ``source``; returns its features.

    Checked: the class attributes (name, config class, unit, suffixes); the config round-trips through
    ``config_dict``/``from_config_dict`` (the bundle's JSON); ``load`` then ``featurize`` give float features
    ``(C, F, T)`` with ``C == in_channels``, ``F == in_features`` and T > 0; featurising is deterministic without
    augmentation and, with augmentation, for a fixed generator seed; ``length_hint`` is positive; the engine
    picks this frontend for ``source``; and, with ``missing`` (a path that does not exist), ``load`` raises a
    :class:`recog.InputError` that names it.
    """
    def need(ok: bool, rule: str) -> None:
        if not ok:
            raise AssertionError(f"{cls.__name__}: {rule}")

    need(isinstance(getattr(cls, "name", None), str) and bool(cls.name), "set a class attribute name (a str)")
    need(hasattr(cls, "config_class"), "set config_class (a frozen FrontendConfig subclass)")
    need(cls.unit in ("s", "px"), f"unit must be 's' or 'px', got {cls.unit!r}")
    need(all(s.startswith(".") and s == s.lower() for s in cls.suffixes), "suffixes are lower case with a dot")
    fe = cls()
    again = cls.from_config_dict(fe.config_dict())
    need(again.config == fe.config, "config_dict() must round-trip through from_config_dict()")
    raw = fe.load(source)
    feats = fe.featurize(raw)
    need(isinstance(feats, Features), "featurize() returns recog.Features")
    x = feats.data
    need(isinstance(x, torch.Tensor) and x.dim() == 3 and x.is_floating_point(), "features are a float tensor (C, F, T)")
    need(x.shape[0] == cls.in_channels, f"C is in_channels ({cls.in_channels}), got {x.shape[0]}")
    need(x.shape[1] == fe.in_features, f"F is in_features ({fe.in_features}), got {x.shape[1]}")
    need(x.shape[2] > 0 and feats.num_frames == x.shape[2], "T > 0 frames")
    need(bool(torch.isfinite(x).all()), "features are finite")
    need(feats.unit == cls.unit and feats.frame_step > 0, "Features carry the frontend's unit and a positive step")
    need(torch.equal(fe.featurize(raw).data, x), "featurize() without augmentation is deterministic")
    a = fe.featurize(raw, augment=True, generator=torch.Generator().manual_seed(3)).data
    b = fe.featurize(raw, augment=True, generator=torch.Generator().manual_seed(3)).data
    need(torch.equal(a, b), "augmentation draws only from the generator it is given (same seed, same features)")
    need(fe.length_hint(raw) > 0, "length_hint() is positive")
    from .api import default_model_for

    if cls.default_model:
        try:
            picked = default_model_for(source)
        except RecogError as e:
            raise AssertionError(f"{cls.__name__}: the engine does not recognise the input ({e}); implement "
                                 "sniff() for files or accepts_object() for in-memory inputs, or set suffixes") from None
        need(picked == cls.default_model, f"the engine picked model {picked!r} for the input, not {cls.default_model!r}")
    if missing is not None:
        try:
            fe.load(missing)
        except InputError as e:
            need(os.fspath(missing) in str(e), "the error for a missing file names it")
        else:
            raise AssertionError(f"{cls.__name__}: load() of a missing file must raise recog.InputError")
    return feats
