"""Tests of recog_tts.engines: flite, festival and SVOX Pico behind the same synthesiser and voice sampler.

Engine tests skip when the engine is not installed (`.ci/tts.sh` installs the Debian packages, the test extra
installs ttspico); the missing-engine behaviour is tested by hiding them.
"""

from __future__ import annotations

import argparse
import json

import numpy as np
import pytest

from recog import ConfigError
from recog_tts import SpeechSynthesizer, VoiceSpec, cli, engines, sample_voices, split_variants
from recog_tts.voices import default_variants, engine_voice_names

PROBLEMS = engines.engine_problems()
VOICES = ["flite:slt", "flite:kal16", "festival:kal_diphone", "festival:cmu_us_slt_arctic_hts", "pico:en-US",
          "pico:en-GB"]


def _needs(engine: str):
    return pytest.mark.skipif(bool(PROBLEMS[engine]), reason=f"{engine}: {PROBLEMS[engine]}")


@pytest.mark.parametrize("name", [pytest.param(v, marks=_needs(v.split(":")[0])) for v in VOICES])
def test_each_engine_speaks_deterministically_at_the_asked_rate(name):
    synth = SpeechSynthesizer(sample_rate=16000)
    text = "Please call Stella at nine, and bring the blue folder."
    voice = VoiceSpec.parse(name, rate=175)
    a, b = synth.synthesize(text, voice), synth.synthesize(text, voice)
    assert a.sample_rate == 16000 and a.audio.dtype == np.float32 and np.array_equal(a.audio, b.audio)
    assert 1.5 < a.duration < 8.0 and 0.01 < float(np.sqrt(np.mean(a.audio**2))) and np.abs(a.audio).max() <= 1.0
    slow = synth.synthesize(text, VoiceSpec.parse(name, rate=110))
    if name != "festival:cmu_us_slt_arctic_hts":  # HTS voices keep their own durations
        assert slow.duration > 1.2 * a.duration, (slow.duration, a.duration)
    assert a.voice.name == name and a.voice.id == f"{name}:r175:p50:g50"


@_needs("pico")
def test_pico_takes_a_pitch():
    from test_tts import f0  # the pitch estimator of the espeak tests

    synth = SpeechSynthesizer(sample_rate=16000)
    low = synth.synthesize("Hello there, how are you today?", VoiceSpec.parse("pico:en-US", pitch=20)).audio
    high = synth.synthesize("Hello there, how are you today?", VoiceSpec.parse("pico:en-US", pitch=90)).audio
    assert f0(high, 16000) > 1.2 * f0(low, 16000)


def test_engine_voices_are_checked():
    with pytest.raises(ConfigError, match="take a rate only"):
        VoiceSpec.parse("flite:slt", pitch=70)
    with pytest.raises(ConfigError, match="unknown speech engine 'nope'"):
        VoiceSpec.parse("nope:x")
    with pytest.raises(ConfigError, match="needs its voice name"):
        VoiceSpec("en-us", None, engine="flite")
    if not PROBLEMS["flite"]:
        with pytest.raises(ConfigError, match="has no voice 'zzz'"):
            SpeechSynthesizer().synthesize("hello", VoiceSpec.parse("flite:zzz"))


def test_a_missing_engine_is_a_clear_error_and_is_skipped_by_the_sampler(monkeypatch):
    monkeypatch.setattr(engines, "_flite_voices", lambda: ())
    monkeypatch.setattr(engines, "_pico_module", lambda: None)
    assert engines.engine_problems()["flite"].startswith("not installed")
    with pytest.raises(ConfigError, match="speech engine 'flite': not installed"):
        SpeechSynthesizer().synthesize("hello", VoiceSpec.parse("flite:slt"))
    voices = sample_voices(6, 0, engines=("espeak", "flite", "pico"))
    assert len(voices) == 6 and {v.engine for v in voices} == {"espeak"}


@pytest.mark.skipif(any(PROBLEMS[e] for e in ("flite", "festival", "pico")), reason="needs flite, festival and pico")
def test_sampler_shares_voices_evenly_among_engines_and_respects_the_held_out_split():
    names = [*default_variants(), *engine_voice_names(["flite", "festival", "pico"])]
    train, held = split_variants(names)
    assert {n for n in held if ":" in n}  # some engine voices are held out
    every = ("espeak", "flite", "festival", "pico")
    a = sample_voices(40, 3, engines=every, variants=[None, *train])
    assert a == sample_voices(40, 3, engines=every, variants=[None, *train])
    counts = {e: sum(v.engine == e for v in a) for e in every}
    assert counts == {"espeak": 10, "flite": 10, "festival": 10, "pico": 10}
    assert not {v.name for v in a} & set(held)
    tests = sample_voices(8, 3, engines=every, variants=held)
    assert {v.name if v.engine != "espeak" else v.variant for v in tests} <= set(held)
    assert sample_voices(5, 1) == sample_voices(5, 1, engines=("espeak",))  # espeak-only corpora are unchanged


@pytest.mark.skipif(bool(PROBLEMS["flite"]), reason=f"flite: {PROBLEMS['flite']}")
def test_synth_corpus_with_engines(tmp_path):
    src = tmp_path / "s.txt"
    src.write_text("The birch canoe slid on the smooth planks.\nGlue the sheet to the dark blue background.\n")
    p = argparse.ArgumentParser()
    cli.configure(p)
    args = p.parse_args(["--from", str(src), "--out", str(tmp_path / "c"), "--voices", "2", "--engines", "espeak,flite",
                         "--split", "train", "--quiet"])
    assert cli.run(args) == 0
    rows = [json.loads(x) for x in (tmp_path / "c" / "manifest.jsonl").read_text().splitlines()]
    assert len(rows) == 2 and any(r["speaker"].startswith("tts:flite:") for r in rows)
