"""The shipped models load offline by name and read the project's own samples."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

import recog

ROOT = Path(__file__).resolve().parents[1]


def _samples(kind):
    rows = [json.loads(x) for x in (ROOT / "samples" / kind / ("manifest.jsonl" if kind == "speech" else "all.jsonl")).read_text().splitlines() if x.strip()]
    return [(ROOT / "samples" / kind / r["path"], r["text"]) for r in rows]


@pytest.mark.parametrize("name,frontend", [("speech", "audio"), ("handwriting", "image")])
def test_shipped_model_is_registered_small_and_self_describing(name, frontend):
    m = recog.models()[name]
    assert m.path.stat().st_size < 20 * 2**20
    head = recog.Bundle.read_header(m.path)
    assert head["frontend"]["name"] == frontend
    assert head["training"]["train_manifests"] and head["metrics"]["dev"]["cer"] < 0.5


def test_speech_samples_are_read_correctly():
    rec = recog.load("speech")
    for path, text in _samples("speech"):
        out = recog.transcribe(path)
        assert out.text == rec.alphabet.normalize(text), path
        assert out.unit == "s" and out.words and out.words[-1].end <= out.extent + 0.05


def test_handwriting_samples_are_read_correctly():
    rec = recog.load("handwriting")
    for path, text in _samples("handwriting"):
        assert recog.transcribe(path).text == rec.alphabet.normalize(text), path


def test_text_round_trip_through_tts():
    from recog_tts import SpokenText

    assert recog.transcribe(SpokenText("THREE FIVE TWO")).text == "three five two"


def test_cli_transcribes_a_mixed_batch_and_lists_failures(tmp_path):
    bad = tmp_path / "broken.wav"
    bad.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")
    paths = [str(p) for p, _ in _samples("speech")[:1] + _samples("handwriting")[:1]] + [str(bad)]
    out = subprocess.run([sys.executable, "-m", "recog", "transcribe", *paths, "--format", "json"], capture_output=True, text=True)
    assert out.returncode == 1
    docs = json.loads(out.stdout)
    assert [d["source"] for d in docs] == paths[:2]
    assert "broken.wav" in out.stderr and "1 of 3 inputs failed" in out.stderr
    assert "Traceback" not in out.stderr


def test_model_frontend_mismatch_is_a_clear_error():
    png = _samples("handwriting")[0][0]
    with pytest.raises(recog.ModelMismatchError, match="looks like image input"):
        recog.load("speech").transcribe(png)


@pytest.mark.parametrize("name,metric,split", [("speech", "an4_test", "an4_test"), ("handwriting", "dhsd_test_writers", "dhsd_test")])
def test_shipped_test_numbers_reproduce(name, metric, split, shared_data, tmp_path):
    """The test-set CER/WER stored in the bundle (and quoted in the README) come out of ``recog.evaluate``."""
    subprocess.run([sys.executable, str(ROOT / "bench" / "splits.py"), "--data", str(shared_data), "--out", str(tmp_path)],
                   check=True, capture_output=True)
    stored = recog.Bundle.read_header(recog.models()[name].path)["metrics"][metric]
    report = recog.evaluate(tmp_path / f"{split}.jsonl", recog.load(name, decoder="greedy"))  # stored numbers are greedy
    assert report.n == stored["n"]
    assert report.cer == pytest.approx(stored["cer"], abs=1e-4) and report.wer == pytest.approx(stored["wer"], abs=1e-4)
    # never tested on speakers/writers it was trained or tuned on
    dev_groups = set(recog.Bundle.read_header(recog.models()[name].path)["training"]["dev_groups"])
    test_groups = {json.loads(x).get("speaker") or json.loads(x).get("writer") for x in (tmp_path / f"{split}.jsonl").read_text().splitlines()}
    assert not dev_groups & test_groups


def test_digital_silence_neither_hurts_nor_glues_words(tmp_path):
    """Zero padding and zero gaps (synthetic audio, padded files) are cut away; pieces join with a space."""
    import numpy as np
    import soundfile as sf

    from recog_tts import SpeechSynthesizer, VoiceSpec

    synth = SpeechSynthesizer(sample_rate=16000)
    texts = ["THREE FIVE TWO", "J O H N", "ENTER SIX TWO FOUR"]
    clips = [synth.synthesize(t, VoiceSpec("en-us", rate=150)).audio for t in texts]
    rec = recog.load("speech", decoder="greedy")
    alone = [r.text for r in rec.transcribe_batch([(c, 16000) for c in clips])]
    assert alone == [rec.alphabet.normalize(t) for t in texts]
    gap = np.zeros(16000, np.float32)
    joined = np.concatenate([gap, clips[0], gap, clips[1], gap, clips[2], gap])
    sf.write(tmp_path / "joined.wav", joined, 16000, subtype="PCM_16")
    out = rec.transcribe(tmp_path / "joined.wav")
    assert out.text == " ".join(alone)
    assert out.extent == pytest.approx(len(joined) / 16000, abs=0.01)
    assert 1.0 <= out.words[0].start and out.words[-1].end <= out.extent - 1.0  # timings stay in the source's clock
