"""The CLI is a thin layer: exit codes, one-line errors, JSON shapes (toy frontend, untrained toy model)."""

import json
from pathlib import Path

import pytest
import torch

import recog

from recog import Alphabet, Bundle, CTCModel, ModelConfig
from recog.cli import main

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def toy_bundle(toy_plugin, tmp_path):
    alpha = Alphabet(list("abcd "))
    cfg = ModelConfig(vocab_size=len(alpha), in_features=8, hidden=8, lstm_layers=1, stem_channels=(4,), stem_strides=((2, 1),))
    torch.manual_seed(0)
    return Bundle(cfg, alpha, "toy", {}, CTCModel(cfg).state_dict(), name="toy").save(tmp_path / "toy.safetensors")


def _toy_files(tmp_path, texts):
    paths = []
    for i, t in enumerate(texts):
        p = tmp_path / f"{i}.toy"
        p.write_text("TOY:" + t)
        paths.append(str(p))
    return paths


def test_transcribe_json_has_text_tokens_and_times(toy_bundle, tmp_path, capsys):
    paths = _toy_files(tmp_path, ["ab", "cd a"])
    assert main(["transcribe", *paths, "--model", str(toy_bundle), "--format", "json"]) == 0
    docs = json.loads(capsys.readouterr().out)
    assert [d["source"] for d in docs] == paths
    for d in docs:
        assert set(d) >= {"text", "confidence", "unit", "words", "tokens", "extent", "model"}
        assert d["unit"] == "s" and 0 <= d["confidence"] <= 1


def test_batch_goes_on_after_failures_and_lists_them(toy_bundle, tmp_path, capsys):
    good = _toy_files(tmp_path, ["ab"])
    empty = tmp_path / "empty.toy"
    empty.write_text("TOY:")
    missing = str(tmp_path / "missing.toy")
    code = main(["transcribe", good[0], str(empty), missing, "--model", str(toy_bundle)])
    out, err = capsys.readouterr()
    assert code == 1
    assert out.startswith(good[0] + "\t")
    assert "empty.toy: no characters" in err and "missing.toy: no such file" in err
    assert "2 of 3 inputs failed" in err and "Traceback" not in err


def test_single_error_is_one_line_and_nonzero(toy_bundle, tmp_path, capsys):
    code = main(["eval", str(tmp_path / "nope.jsonl"), "--model", str(toy_bundle)])
    err = capsys.readouterr().err.strip()
    assert code == 2 and err.count("\n") == 0 and "nope.jsonl: manifest not found" in err
    corrupt = tmp_path / "bad.safetensors"
    corrupt.write_bytes(b"garbage")
    assert main(["transcribe", *_toy_files(tmp_path, ["a"]), "--model", str(corrupt)]) == 1
    assert "bad.safetensors" in capsys.readouterr().err


def test_unknown_input_kind(tmp_path, capsys):
    p = tmp_path / "notes.xyz"
    p.write_text("hello")
    assert main(["transcribe", str(p)]) == 1
    assert "notes.xyz: no installed frontend reads this kind of file" in capsys.readouterr().err


def test_eval_json_keys(toy_bundle, tmp_path, capsys):
    paths = _toy_files(tmp_path, ["ab", "c"])
    (tmp_path / "m.jsonl").write_text("".join(json.dumps({"path": p, "text": t}) + "\n" for p, t in zip(paths, ["ab", "c"])))
    assert main(["eval", str(tmp_path / "m.jsonl"), "--model", str(toy_bundle), "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert {"cer", "wer", "n", "rtf"} <= set(d) and d["n"] == 2
    assert d["input_seconds"] == pytest.approx((8 + 4) * 0.01)


def test_eval_against_a_baseline_pairs_the_same_items(toy_bundle, tmp_path, capsys):
    cfg = Bundle.load(toy_bundle)
    torch.manual_seed(1)  # another untrained toy model: other hypotheses
    other = Bundle(cfg.model_config, cfg.alphabet, "toy", {}, CTCModel(cfg.model_config).state_dict(),
                   name="toy2").save(tmp_path / "toy2.safetensors")
    texts, pages = ["ab", "cab", "dab", "a"], ["p1", "p1", "p2", "p3"]
    paths = _toy_files(tmp_path, texts)
    (tmp_path / "m.jsonl").write_text("".join(json.dumps({"path": p, "text": t, "page": g}) + "\n"
                                              for p, t, g in zip(paths, texts, pages)))
    base = ["eval", str(tmp_path / "m.jsonl"), "--json", "--quiet", "--decoder", "greedy"]
    assert main(base + ["--model", str(toy_bundle)]) == 0
    alone = json.loads(capsys.readouterr().out)
    assert main(base + ["--model", str(other), "--against", str(toy_bundle)]) == 0
    d = json.loads(capsys.readouterr().out)
    c, w = d["against"]["comparison"]["cer"], d["against"]["comparison"]["wer"]
    assert d["against"]["model"] == str(toy_bundle) and d["against"]["cer"] == alone["cer"] != d["cer"]
    assert c["a"] == pytest.approx(alone["cer"], abs=1e-5) and c["b"] == pytest.approx(d["cer"], abs=1e-5)
    assert w["a"] == pytest.approx(alone["wer"], abs=1e-5) and w["b"] == pytest.approx(d["wer"], abs=1e-5)
    assert c["delta"] == pytest.approx(c["b"] - c["a"], abs=2e-5) and c["low"] <= c["delta"] <= c["high"]
    assert c["clusters"] == 3 and c["resamples"] == 2000  # the pages
    assert main([a for a in base if a != "--json"] + ["--model", str(toy_bundle), "--against", str(toy_bundle)]) == 0
    out = capsys.readouterr().out
    assert f"{toy_bundle} vs {toy_bundle}: CER" in out and f"{toy_bundle} vs {toy_bundle}: WER" in out
    assert out.count("+0.00 points") == 2 and out.count("not significant at 95%") == 2
    assert main(base + ["--model", str(toy_bundle), "--against", str(tmp_path / "nope.safetensors")]) != 0
    assert "nope.safetensors" in capsys.readouterr().err


def test_eval_report_counts_errors_by_kind_group_and_item(toy_bundle, tmp_path, capsys):
    from recog import hookimpl
    from recog.decode import CTCHypothesis
    from recog.plugins import get_host

    class Fixed:  # every input reads "dab", so the report's numbers are known
        @hookimpl
        def register_decoders(self, register):
            register("fixed-dab", lambda alphabet, options: lambda log_probs, lengths: [
                CTCHypothesis("dab", (4, 1, 2), ((0, 0), (1, 1), (2, 2)), (1.0,) * 3, 1.0) for _ in range(len(lengths))])

    texts, writers, pages = ["ab", "cab", "dab"], ["w1", "w2", "w2"], ["p1", "p1", "p2"]
    paths = _toy_files(tmp_path, texts)
    (tmp_path / "m.jsonl").write_text("".join(json.dumps({"path": p, "text": t, "writer": w, "page": g}) + "\n"
                                              for p, t, w, g in zip(paths, texts, writers, pages)))
    host = get_host()
    host.register(Fixed(), name="fixed-dab-test")
    try:
        args = ["eval", str(tmp_path / "m.jsonl"), "--model", str(toy_bundle), "--decoder", "fixed-dab", "--quiet"]
        assert main(args + ["--json", "--report", "5", "--items", str(tmp_path / "items.jsonl")]) == 0
        d = json.loads(capsys.readouterr().out)
        # ab -> dab: "d" added; cab -> dab: c -> d; dab: right
        assert d["cer"] == pytest.approx(2 / 8)
        assert {k: d["errors"][k] for k in ("substitutions", "deletions", "insertions", "chars")} == {
            "substitutions": 1, "deletions": 0, "insertions": 1, "chars": 8}
        assert d["errors"]["confusions"] == [{"ref": "", "hyp": "d", "count": 1}, {"ref": "c", "hyp": "d", "count": 1}]
        assert d["groups"] == {"w1": {"cer": 0.5, "char_errors": 1, "chars": 2},
                               "w2": {"cer": pytest.approx(1 / 6, abs=1e-5), "char_errors": 1, "chars": 6}}
        assert [(w["ref"], w["hyp"], w["char_errors"]) for w in d["worst"]] == [("ab", "dab", 1), ("cab", "dab", 1)]
        rows = [json.loads(line) for line in (tmp_path / "items.jsonl").read_text().splitlines()]
        assert [(r["name"], r["group"], r["ref"], r["hyp"], r["char_errors"], r["chars"], r["extra"]) for r in rows] == [
            (p, w, t, "dab", e, len(t), {"page": g}) for p, w, t, e, g in zip(paths, writers, texts, [1, 1, 0], pages)]

        assert main(args + ["--report", "1", "--by", "page"]) == 0
        out = capsys.readouterr().out
        assert "2 of 8 reference characters: 1 substituted, 0 left out (deletions), 1 added (insertions)" in out
        assert "most frequent errors (reference -> hypothesis), 1 of 2:" in out and "(added) -> 'd'" in out
        assert "CER by page, worst 1 of 2:" in out and "p1" in out and "p2" not in out.split("CER by page")[1]
        assert f"1 errors (50.0%)  {paths[0]}" in out and "    ref: ab\n    hyp: dab" in out and paths[1] not in out

        assert main(args + ["--report", "0"]) == 2
        assert "--report N must be >= 1" in capsys.readouterr().err
        assert main(args + ["--by", "pgae"]) == 2
        err = capsys.readouterr().err
        assert "m.jsonl: --by pgae: no item has that field (its fields: page)" in err and err.count("\n") == 1
        assert main(args + ["--by", "writer"]) == 0  # the items' group: the default grouping
        assert "CER by speaker/writer, worst 2 of 2:" in capsys.readouterr().out
    finally:
        host.unregister("fixed-dab-test")


def test_plugins_and_models_json(capsys):
    assert main(["plugins", "--json"]) == 0
    plugins = {p["name"]: p for p in json.loads(capsys.readouterr().out)}
    assert "register_frontends" in plugins["audio"]["hooks"] and plugins["audio"]["version"]
    assert main(["models", "--json"]) == 0
    assert isinstance(json.loads(capsys.readouterr().out), list)


def test_plugin_decoders_and_commands_reach_the_cli(toy_bundle, tmp_path, capsys):
    from recog import hookimpl
    from recog.decode import CTCHypothesis
    from recog.plugins import get_host

    class Extra:
        @hookimpl
        def register_decoders(self, register):
            def factory(alphabet, options):
                return lambda log_probs, lengths: [CTCHypothesis("dab", (4, 1, 2), ((0, 0), (1, 1), (2, 2)), (1.0,) * 3, 1.0)
                                                   for _ in range(len(lengths))]
            register("fixed", factory)

        @hookimpl
        def register_commands(self, register):
            register("hello", "say hello", lambda p: p.add_argument("who"), lambda a: print(f"hello {a.who}") or 0)

    host = get_host()
    host.register(Extra(), name="extra-test")
    try:
        path = _toy_files(tmp_path, ["ab"])[0]
        assert main(["transcribe", path, "--model", str(toy_bundle), "--decoder", "fixed"]) == 0
        assert capsys.readouterr().out.strip() == "dab"
        assert main(["hello", "world"]) == 0
        assert capsys.readouterr().out.strip() == "hello world"
    finally:
        host.unregister("extra-test")
    assert main(["transcribe", path, "--model", str(toy_bundle), "--decoder", "fixed"]) == 1
    assert "no decoder named 'fixed'" in capsys.readouterr().err


def test_threads_option_default_and_env(monkeypatch):
    from recog.cli import DEFAULT_THREADS, _threads, build_parser

    p = build_parser()
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    assert _threads(p.parse_args(["models"])) == DEFAULT_THREADS == 1
    assert _threads(p.parse_args(["transcribe", "x.wav", "--threads", "2"])) == 2
    assert _threads(p.parse_args(["--threads", "3", "eval", "m.jsonl", "-m", "speech"])) == 3
    monkeypatch.setenv("OMP_NUM_THREADS", "4")
    assert _threads(p.parse_args(["render", "--out", "x"])) == 4  # plugin commands too
    with pytest.raises(recog.RecogError, match="--threads must be >= 1"):
        _threads(p.parse_args(["models", "--threads", "0"]))


def test_output_into_a_closed_pipe_is_quiet():
    import subprocess
    import sys

    cmd = (f"{sys.executable} -m recog transcribe {' '.join(str(p) for p in sorted((ROOT / 'samples' / 'speech').glob('*.wav')))}"
           " | true")  # the reader is gone before anything is written
    out = subprocess.run(["bash", "-c", "set -o pipefail; " + cmd], capture_output=True, text=True)
    assert "Traceback" not in out.stderr and "BrokenPipe" not in out.stderr


def test_transcribe_reads_standard_input_and_folders(tmp_path):
    import subprocess
    import sys

    wav = ROOT / "samples" / "speech" / "yes.wav"
    one = subprocess.run([sys.executable, "-m", "recog", "transcribe", "-"], input=wav.read_bytes(), capture_output=True)
    assert one.returncode == 0 and one.stdout.decode().strip() == "yes", one.stderr
    out = subprocess.run([sys.executable, "-m", "recog", "transcribe", str(ROOT / "samples")], capture_output=True, text=True)
    lines = out.stdout.splitlines()
    media = [f for f in (ROOT / "samples").rglob("*") if f.suffix in (".wav", ".png")]
    assert out.returncode == 0 and len(lines) == len(media) >= 7 and lines == sorted(lines)  # in path order
    (tmp_path / "notes.txt").write_text("x")
    empty = subprocess.run([sys.executable, "-m", "recog", "transcribe", str(tmp_path)], capture_output=True, text=True)
    assert empty.returncode == 2 and "a folder with no audio or image files" in empty.stderr


def test_help_imports_no_torch():
    """`recog --help` builds every command's parser (plugins' too) without importing torch: it answers at once."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-X", "importtime", "-m", "recog", "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "transcribe" in out.stdout and "render" in out.stdout and "synth" in out.stdout
    imported = {line.split("|")[-1].strip() for line in out.stderr.splitlines() if "|" in line}
    assert "torch" not in imported and "torchaudio" not in imported, sorted(m for m in imported if "torch" in m)[:5]


def test_broken_and_looping_links_are_named_as_such(tmp_path):
    import os

    os.symlink(tmp_path / "gone.wav", tmp_path / "broken.wav")
    os.symlink(tmp_path / "loop_b.wav", tmp_path / "loop_a.wav")
    os.symlink(tmp_path / "loop_a.wav", tmp_path / "loop_b.wav")
    for name in ("broken.wav", "loop_a.wav"):
        with pytest.raises(recog.InputNotFoundError, match=f"{name}: a symbolic link that leads nowhere"):
            recog.load("speech").transcribe(tmp_path / name)


def test_device_option_is_checked_where_it_enters(capsys):
    import torch

    wav = str(ROOT / "samples" / "speech" / "yes.wav")
    assert main(["transcribe", wav, "--device", "cpu"]) == 0 and capsys.readouterr().out.strip() == "yes"
    assert main(["transcribe", wav, "--device", "tpu"]) == 1
    assert "device 'tpu' is not a device" in capsys.readouterr().err
    if not torch.cuda.is_available():
        assert main(["eval", str(ROOT / "samples" / "speech" / "manifest.jsonl"), "-m", "speech", "--device", "cuda"]) == 2
        assert "no CUDA device is available" in capsys.readouterr().err


class _ToyPage(recog.Document):
    """A toy document: ``TOY:ab|cd`` holds the regions ``ab`` and ``cd``; written as ``id=text`` lines."""

    formats = ("toyxml",)

    def write(self, transcripts, out, format):
        if format not in self.formats:
            return super().write(transcripts, out, format)
        Path(out).write_text("".join(f"{r.id}={'' if t is None else t.text}\n" for r, t in zip(self.regions, transcripts)))
        return Path(out)


class _ToyDocuments:
    @recog.hookimpl
    def register_document_readers(self, register):
        def read(source, layout):
            text = Path(source).read_text()[4:] if layout is None else Path(layout).read_text()
            regions = [recog.Region(f"r{k}", (float(k), float(k + 1)), "TOY:" + part) for k, part in enumerate(text.split("|"))]
            return _ToyPage(str(source if layout is None else layout), regions)

        register("toy", read, formats=("toyxml",), layout_suffixes=(".toyl",))


@pytest.fixture
def toy_documents(toy_bundle, toy_plugin):
    toy_plugin.register(_ToyDocuments(), name="toy-documents")
    yield toy_bundle
    toy_plugin.unregister("toy-documents")


def test_an_input_with_several_regions_is_read_region_by_region(toy_documents, tmp_path, capsys):
    page, line = _toy_files(tmp_path, ["ab|cd|a", "ab"])
    with pytest.raises(recog.SeveralRegionsError, match="holds 3 regions"):
        recog.load(toy_documents).transcribe(page)  # the recogniser never reads a page as one line
    assert main(["transcribe", page, "--model", str(toy_documents), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in doc["regions"]] == ["r0", "r1", "r2"] and doc["regions"][1]["box"] == [1.0, 2.0]
    assert doc["text"].split("\n") == [r["text"] for r in doc["regions"]] and doc["source"] == page
    assert main(["transcribe", page, line, "--model", str(toy_documents)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [o.split("\t")[0] for o in out] == [f"{page}#r0", f"{page}#r1", f"{page}#r2", line]
    result = recog.transcribe_document(page, toy_documents)
    assert [r.id for r, _ in result] == ["r0", "r1", "r2"] and result.model == "toy"


def test_a_document_format_writes_the_layout_and_a_failed_region_is_named(toy_documents, tmp_path, capsys):
    page, line = _toy_files(tmp_path, ["ab||cd", "ab"])
    code = main(["transcribe", page, line, "--model", str(toy_documents), "--format", "toyxml", "--output-dir",
                 str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 1 and f"{page}: line r1: no characters" in err and "Traceback" not in err
    written = (tmp_path / "out" / "0.toyxml.xml").read_text().splitlines()
    assert [w.split("=")[0] for w in written] == ["r0", "r1", "r2"] and written[1] == "r1="
    assert (tmp_path / "out" / "1.toyxml.xml").read_text().startswith("r0=")  # a one-region input is a document too
    layout = tmp_path / "page.toyl"
    layout.write_text("ab|cd")
    assert main(["transcribe", "--lines", str(layout), "--model", str(toy_documents), "--format", "toyxml"]) == 0
    assert [w.split("=")[0] for w in capsys.readouterr().out.splitlines()] == ["r0", "r1"]


def test_document_errors_are_one_line(toy_documents, tmp_path, capsys):
    page, other = _toy_files(tmp_path, ["ab|cd", "ab"])
    assert main(["transcribe", page, other, "--format", "toyxml", "--model", str(toy_documents)]) == 2
    assert "--format toyxml with several inputs needs --output-dir" in capsys.readouterr().err
    assert main(["transcribe", page, other, "--lines", page, "--model", str(toy_documents)]) == 2
    assert "--lines describes one page" in capsys.readouterr().err
    assert main(["transcribe", "--model", str(toy_documents)]) == 2
    assert "needs input files" in capsys.readouterr().err
    assert main(["transcribe", page, "--format", "srt", "--model", str(toy_documents)]) == 1
    assert "--format srt is for audio" in capsys.readouterr().err
    with pytest.raises(recog.ConfigError, match="needs an input, a layout file"):
        recog.transcribe_document(None)
    with pytest.raises(recog.ConfigError, match="cannot write a 'page' document"):
        recog.transcribe_document(page, toy_documents).write(tmp_path / "x.xml", format="page")
