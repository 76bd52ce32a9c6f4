"""Atomic writes (recog.atomic): whole files or none, and one-line errors naming the target."""

import os

import pytest

from recog import OutputError
from recog.atomic import atomic_write, atomic_write_text


def test_a_write_replaces_the_file_whole_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "sub" / "out.txt"
    atomic_write_text(target, "one")
    atomic_write_text(target, "two")
    assert target.read_text() == "two" and sorted(p.name for p in target.parent.iterdir()) == ["out.txt"]
    assert (target.stat().st_mode & 0o777) == 0o644


def test_a_failing_writer_keeps_the_old_file_and_cleans_up(tmp_path):
    target = tmp_path / "out.bin"
    target.write_bytes(b"old")

    def half(tmp):
        tmp.write_bytes(b"partial")
        raise OSError(28, "No space left on device")

    with pytest.raises(OutputError, match=r"out.bin: cannot write: no space left on the device"):
        atomic_write(target, half)
    assert target.read_bytes() == b"old" and sorted(p.name for p in tmp_path.iterdir()) == ["out.bin"]

    def library_error(tmp):
        tmp.write_bytes(b"x")
        raise RuntimeError("[enforce fail at inline_container.cc:672] . unexpected pos")

    with pytest.raises(OutputError, match="out.bin: cannot write: "):
        atomic_write(target, library_error)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.bin"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_is_a_clear_error(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        with pytest.raises(OutputError, match="permission denied"):
            atomic_write_text(ro / "x.txt", "data")
    finally:
        ro.chmod(0o755)


def test_bundle_and_wav_writes_go_through_it(tmp_path, monkeypatch):
    import numpy as np
    import torch

    import recog
    from recog_tts import write_wav

    bundle = recog.Bundle(recog.ModelConfig(vocab_size=3, hidden=4, lstm_layers=1, stem_channels=(2,),
                                            stem_strides=((2, 1),), in_features=8),
                          recog.Alphabet(list("ab")), "audio", {}, {"w": torch.zeros(2)}, name="x")
    real_replace = os.replace

    def full_disk(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(OutputError, match="model.safetensors: cannot write: no space left"):
        bundle.save(tmp_path / "model.safetensors")
    with pytest.raises(OutputError, match="a.wav: cannot write: no space left"):
        write_wav(tmp_path / "a.wav", np.zeros(100, np.float32), 16000)
    monkeypatch.setattr(os, "replace", real_replace)
    assert sorted(p.name for p in tmp_path.iterdir()) == []
