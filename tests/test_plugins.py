import json
import os
import subprocess
import sys
import textwrap

import pytest

import recog
from recog import PluginError, hookimpl
from recog.hookspecs import PROJECT
from recog.plugins import PluginHost, get_host

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_builtin_frontends_come_from_entry_points():
    host = get_host()
    names = {i.name for i in host.info()}
    assert {"audio", "image", "tts"} <= names


def test_throwaway_frontend_registered_in_fixture_and_removed(toy_plugin):
    assert "toy" in toy_plugin.frontends()
    assert recog.default_model_for("TOY:ab") == "toy-model"
    toy_plugin.unregister("toy-test")
    assert "toy" not in toy_plugin.frontends()
    from toyplugin import ToyPlugin

    toy_plugin.register(ToyPlugin(), name="toy-test")  # the fixture's teardown removes it again


def test_hook_that_raises_is_reported_and_others_still_work(toy_plugin):
    class Broken:
        @hookimpl
        def register_frontends(self, register):
            raise RuntimeError("boom")

        @hookimpl
        def register_models(self, register):
            register("dup", "/nowhere.safetensors", "x")
            register("dup", "/else.safetensors", "y")

    host = get_host()
    host.register(Broken(), name="broken-test")
    try:
        assert "toy" in host.frontends()
        info = {i.name: i for i in host.info()}["broken-test"]
        assert info.status == "failed"
        assert any("boom" in e for e in info.errors)
        assert any("'dup' already registered" in e for e in info.errors)
        assert host.models()["dup"].description == "x"
    finally:
        host.unregister("broken-test")


def test_register_rejects_non_frontends():
    host = PluginHost(load_entry_points=False)

    class Wrong:
        @hookimpl
        def register_frontends(self, register):
            register(int)

    host.register(Wrong(), name="wrong")
    assert host.frontends() == {}
    assert {i.name: i for i in host.info()}["wrong"].status == "failed"
    with pytest.raises(PluginError, match="no frontend named 'nope'"):
        host.frontend("nope")


def _fake_dist(tmp_path, name, module_src):
    """A minimal installed distribution on a path entry: module + dist-info with a recog entry point."""
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(module_src))
    info = tmp_path / f"{name}-1.2.3.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.2.3\n")
    (info / "entry_points.txt").write_text(f"[recog]\n{name} = {name}\n")


def _plugins_json(tmp_path, env_extra=None):
    env = dict(os.environ, PYTHONPATH=str(tmp_path), **(env_extra or {}))
    env.pop(recog.plugins.ENV_VAR, None) if env_extra is None else None
    out = subprocess.run([sys.executable, "-m", "recog", "plugins", "--json"], env=env, capture_output=True, text=True, check=True)
    return {p["name"]: p for p in json.loads(out.stdout)}


def test_plugin_that_fails_to_import_is_skipped(tmp_path):
    _fake_dist(tmp_path, "badplug", "raise ImportError('missing libfoo')\n")
    _fake_dist(
        tmp_path,
        "goodplug",
        """
        from recog import hookimpl
        @hookimpl
        def register_models(register):
            register("goodmodel", "/x.safetensors", "a model")
        """,
    )
    found = _plugins_json(tmp_path)
    assert found["badplug"]["status"] == "failed" and "missing libfoo" in found["badplug"]["errors"][0]
    assert found["goodplug"] == {"name": "goodplug", "version": "1.2.3", "hooks": ["register_models"], "status": "ok", "errors": [], "notes": []}
    assert found["audio"]["status"] == "ok"


def test_env_var_restricts_plugins(tmp_path):
    _fake_dist(tmp_path, "goodplug", "x = 1\n")
    found = _plugins_json(tmp_path, {"RECOG_PLUGINS": "audio"})
    assert found["audio"]["status"] == "ok"
    assert found["goodplug"]["status"] == "disabled" and found["image"]["status"] == "disabled"


def test_every_hookspec_is_exercised():
    """Each hook in the contract has a registry here (and so a test above or in test_cli)."""
    import recog.hookspecs as hs

    specs = {n for n in dir(hs) if n.startswith("register_") and hasattr(getattr(hs, n), f"{PROJECT}_spec")}
    specs |= {n for n in dir(hs) if n.startswith("report_") and hasattr(getattr(hs, n), f"{PROJECT}_spec")}
    assert specs == {"register_frontends", "register_models", "register_decoders", "register_readers",
                     "register_commands", "register_corpus_readers", "register_document_readers", "report_status"}


def test_report_status_notes_show_in_plugin_info_and_a_raising_report_is_a_failure(toy_plugin):
    class Partial:
        @hookimpl
        def report_status(self, report):
            report("engine x: not installed")
            report("fonts: 3 of 5")

    class Broken:
        @hookimpl
        def report_status(self, report):
            raise RuntimeError("status boom")

    toy_plugin.register(Partial(), name="partial")
    toy_plugin.register(Broken(), name="broken-status")
    try:
        info = {i.name: i for i in toy_plugin.info()}
        assert info["partial"].notes == ["engine x: not installed", "fonts: 3 of 5"] and info["partial"].status == "ok"
        assert info["broken-status"].status == "failed" and "status boom" in info["broken-status"].errors[0]
        assert info["partial"].to_dict()["notes"] == info["partial"].notes
    finally:
        toy_plugin.unregister("partial")
        toy_plugin.unregister("broken-status")


def test_recog_plugins_lists_missing_speech_engines(tmp_path):
    """With no flite/festival on PATH and no ttspico importable, `recog plugins` says so; nothing crashes."""
    (tmp_path / "ttspico.py").write_text("raise ImportError('hidden for the test')\n")
    env = {**os.environ, "PATH": str(tmp_path), "PYTHONPATH": str(tmp_path)}
    out = subprocess.run([sys.executable, "-m", "recog", "plugins", "--json"], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    tts = {d["name"]: d for d in json.loads(out.stdout)}["tts"]
    assert tts["status"] == "ok"
    assert any(n.startswith("speech engine flite: not installed") for n in tts["notes"])
    assert any(n.startswith("speech engine festival: not installed") for n in tts["notes"])
    assert any(n.startswith("speech engine pico: not installed") for n in tts["notes"])


def test_corpus_readers_by_suffix_first_plugin_wins_and_folders_mix_formats(toy_plugin, tmp_path):
    from recog.corpus import read_corpus
    from recog.data import Utterance

    class Lines:
        @hookimpl
        def register_corpus_readers(self, register):
            register("lines", (".LINES",), lambda p: [Utterance(f"TOY:{t}", t, group=p.stem, extra={"source": f"{p}#{k}"})
                                                      for k, t in enumerate(p.read_text().split())])

    class Late:
        @hookimpl
        def register_corpus_readers(self, register):
            register("late", (".lines",), lambda p: [])

    toy_plugin.register(Lines(), name="lines-reader")
    toy_plugin.register(Late(), name="late-reader")
    try:
        assert toy_plugin.corpus_readers()[".lines"][0] == "lines"
        assert any("already registered" in e for e in {i.name: i for i in toy_plugin.info()}["late-reader"].errors)
        (tmp_path / "a.lines").write_text("ab ba")
        (tmp_path / "sub").mkdir()
        (tmp_path / "sub" / "m.jsonl").write_text(json.dumps({"path": "x.toy", "text": "cd"}) + "\n")
        utts = read_corpus(tmp_path)
        assert [u.text for u in utts] == ["ab", "ba", "cd"] and utts[1].name.endswith("a.lines#1")
        (tmp_path / "empty.lines").write_text("")
        with pytest.raises(recog.DataError, match="empty.lines: no transcribed items"):
            read_corpus(tmp_path / "empty.lines")
        (tmp_path / "e").mkdir()
        with pytest.raises(recog.DataError, match="a folder with no corpus files"):
            read_corpus(tmp_path / "e")
    finally:
        toy_plugin.unregister("lines-reader")
        toy_plugin.unregister("late-reader")

def test_a_plugin_command_named_like_a_builtin_is_reported_not_silently_dropped(toy_plugin):
    from recog.cli import build_parser

    class Squatter:
        @hookimpl
        def register_commands(self, register):
            register("transcribe", "mine", lambda p: None, lambda a: 0)
            register("squat-extra", "fine", lambda p: None, lambda a: 0)

    toy_plugin.register(Squatter(), name="squatter")
    try:
        parser = build_parser()
        assert parser.parse_args(["transcribe", "x.wav"]).func.__name__ == "_transcribe"  # the built-in stays
        assert parser.parse_args(["squat-extra"]).func(None) == 0
        info = {i.name: i for i in toy_plugin.info()}["squatter"]
        assert any("command 'transcribe' already registered by 'recog'" in e for e in info.errors)
    finally:
        toy_plugin.unregister("squatter")
