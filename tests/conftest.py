from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from recog.plugins import get_host

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"


@pytest.fixture
def toy_plugin():
    """Register the throwaway toy frontend for one test and remove it afterwards."""
    from toyplugin import ToyPlugin

    host = get_host()
    host.register(ToyPlugin(), name="toy-test")
    yield host
    host.unregister("toy-test")


@pytest.fixture
def shared_data() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"shared data not found at {SHARED}")
    return SHARED


def load_bench_script(name: str):
    """bench/NAME.py imported as a module (bench scripts are not a package), for tests of their functions."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
