from __future__ import annotations

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
