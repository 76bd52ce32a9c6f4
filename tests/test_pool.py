"""Transcription by worker processes (recog.pool): same results, in order, errors in place, clear bad settings."""

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import recog
from recog.errors import (
    BundleError,
    ConfigError,
    CorruptInputError,
    InputNotFoundError,
    OutputError,
)
from recog.pool import AUTO_MIN_INPUTS, auto_workers, check_workers

ROOT = Path(__file__).resolve().parents[1]


def _speech_inputs(tmp_path):
    """Six clips of the project's TTS in three forms (paths, an array), a missing file and a broken one."""
    import soundfile as sf
    from recog_tts import SpeechSynthesizer, VoiceSpec

    synth = SpeechSynthesizer(sample_rate=16000)
    texts = ["THREE FIVE TWO", "YES", "SEVEN OH TWO", "R U B O U T", "ENTER SIX TWO FOUR", "NO"]
    paths = []
    for i, t in enumerate(texts):
        p = tmp_path / f"clip{i}.wav"
        sf.write(p, synth.synthesize(t, VoiceSpec("en-us", rate=150)).audio, 16000, subtype="PCM_16")
        paths.append(str(p))
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")
    array = (synth.synthesize("NINE", VoiceSpec("en-us", rate=150)).audio, 16000)
    return paths[:3] + [str(tmp_path / "missing.wav")] + paths[3:] + [str(broken), array]


def test_workers_give_the_single_process_results_in_order_with_errors_in_place(tmp_path):
    inputs = _speech_inputs(tmp_path)
    rec = recog.load("speech", decoder="greedy")
    alone = rec.transcribe_batch(inputs, errors="return", batch_size=2)
    seen = []
    pooled = rec.transcribe_batch(inputs, errors="return", batch_size=2, workers=2,
                                  progress=lambda done, total, _: seen.append((done, total)))
    assert [type(r) for r in pooled] == [type(r) for r in alone]
    assert isinstance(pooled[3], InputNotFoundError) and isinstance(pooled[-2], CorruptInputError)
    assert str(pooled[3]) == str(alone[3]) and "missing.wav" in str(pooled[3])
    texts = [r.text for r in pooled if isinstance(r, recog.Transcript)]
    assert texts == [r.text for r in alone if isinstance(r, recog.Transcript)]
    assert sum(len(t) > 0 for t in texts) >= 6  # real transcripts, not empty ones
    assert [r.source for r in pooled if isinstance(r, recog.Transcript)][:3] == inputs[:3]
    assert seen[-1] == (len(inputs), len(inputs)) and [d for d, _ in seen] == sorted(d for d, _ in seen)
    with pytest.raises(InputNotFoundError, match="missing.wav"):  # errors="raise": the first bad input's error
        rec.transcribe_batch(inputs, workers=2)


def test_the_torch_free_runtime_has_workers_too(tmp_path):
    from recog.runtime import OnnxRecognizer

    onnx_path = ROOT / "exports" / "speech.onnx"
    if not onnx_path.is_file():
        pytest.skip(f"{onnx_path} not built (bash exports/build.sh)")
    inputs = _speech_inputs(tmp_path)
    rt = OnnxRecognizer(onnx_path, providers=["CPUExecutionProvider"], decoder="greedy")
    alone = rt.transcribe_batch(inputs, errors="return")
    pooled = rt.transcribe_batch(inputs, errors="return", workers=3)
    assert [getattr(r, "text", str(r)) for r in pooled] == [getattr(r, "text", str(r)) for r in alone]


def test_cli_eval_with_workers_scores_like_one_process(tmp_path):
    inputs = [p for p in _speech_inputs(tmp_path)[:3]]
    manifest = tmp_path / "m.jsonl"
    manifest.write_text("".join(json.dumps({"path": p, "text": t}) + "\n"
                                for p, t in zip(inputs, ["three five two", "yes", "seven oh two"])))
    runs = {}
    for w in ("1", "2"):
        out = subprocess.run([sys.executable, "-m", "recog", "eval", str(manifest), "--model", "speech", "--decoder",
                              "greedy", "--json", "--workers", w], capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        runs[w] = json.loads(out.stdout)
    assert runs["1"]["n"] == runs["2"]["n"] == 3
    assert runs["1"]["cer"] == runs["2"]["cer"] and runs["1"]["wer"] == runs["2"]["wer"]
    bad = subprocess.run([sys.executable, "-m", "recog", "eval", str(manifest), "--model", "speech", "--workers", "0"],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "workers must be >= 1" in bad.stderr and "Traceback" not in bad.stderr


def test_worker_counts():
    assert check_workers(3, 10) == 3 and check_workers("2", 10) == 2
    assert check_workers("auto", AUTO_MIN_INPUTS - 1) == 1  # a few inputs: starting processes does not pay
    assert 1 <= auto_workers(10_000, threads=1) and auto_workers(10_000, threads=10_000) == 1
    for bad in (0, -1, "many", None):
        with pytest.raises(ConfigError, match="workers must be"):
            check_workers(bad, 10)


def test_a_recognizer_built_in_memory_says_it_cannot_use_workers():
    from recog.recognizer import Recognizer

    path = recog.models()["speech"].path
    rec = Recognizer.from_bundle(recog.Bundle.load(path))  # no file behind it: nothing to rebuild elsewhere
    with pytest.raises(ConfigError, match="workers > 1 needs a recogniser loaded from a bundle file"):
        rec.transcribe_batch([(np.zeros(1600, np.float32), 16000)] * 2, workers=2)


@pytest.mark.parametrize("err", [InputNotFoundError("a.wav", "no such file"), CorruptInputError("b.wav", "truncated"),
                                 BundleError("m.safetensors", "bad header"), OutputError("o.txt", "disk full")])
def test_errors_cross_process_boundaries_intact(err):
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is type(err) and str(back) == str(err)


def test_workers_of_two_threads_finish_after_the_parent_ran_a_parallel_region(tmp_path):
    """A forked copy of GNU OpenMP's thread pool deadlocks at the child's first parallel operation: workers of more
    than one thread must not be forked (they hung under OMP_NUM_THREADS=2 before they were spawned)."""
    from recog.pool import _context

    assert _context(1).get_start_method() == ("fork" if sys.platform == "linux" else "spawn")
    assert _context(2).get_start_method() == "spawn"
    script = tmp_path / "two_threads.py"
    script.write_text(
        "import glob, torch, recog\n"
        "if __name__ == '__main__':\n"
        "    torch.set_num_threads(2)\n"
        "    x = torch.randn(3000, 3000); (x.half().float() + 1).sum()  # a parallel region in the parent\n"
        "    rec = recog.load('speech', decoder='greedy')\n"
        f"    wavs = sorted(glob.glob({str(ROOT / 'samples' / 'speech' / '*.wav')!r}))\n"
        "    alone = [t.text for t in rec.transcribe_batch(wavs)]\n"
        "    pooled = [t.text for t in rec.transcribe_batch(wavs, workers=2)]\n"
        "    assert pooled == alone and all(alone), (pooled, alone)\n"
        "    print('ok', len(pooled))\n")
    env = {**os.environ, "OMP_NUM_THREADS": "2"}
    try:
        out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=180)
    except subprocess.TimeoutExpired:
        pytest.fail("workers of two threads hung (a forked OpenMP pool?)")
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "ok 4"
    # the same script without its main guard: the spawned workers re-run it and die; a clear error, never a hang
    unguarded = tmp_path / "unguarded.py"
    unguarded.write_text(script.read_text().replace("if __name__ == '__main__':\n", "if True:\n"))
    out = subprocess.run([sys.executable, "-c", f"import runpy, recog\ntry:\n    runpy.run_path({str(unguarded)!r}, "
                          "run_name='__main__')\nexcept recog.errors.ConfigError as e:\n    print('ConfigError:', e)"],
                         capture_output=True, text=True, env=env, timeout=180)
    assert "ConfigError: a transcription worker process died" in out.stdout, (out.stdout, out.stderr[-2000:])
    assert 'if __name__ == "__main__":' in out.stdout
