"""Tests of the text-to-speech plugin (recog_tts): espeak-ng binding, synthesis, voices, text checks,
the ``tts`` frontend and the ``synth`` command."""

from __future__ import annotations

import argparse
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch

from recog import ConfigError, Features, Frontend, FrontendConfig, PluginError, RecogError, TextError, hookimpl
from recog.api import default_model_for
from recog.data import read_manifest
from recog.plugins import get_host
from recog_tts import (
    DEFAULT_LANGUAGES,
    MAX_TEXT_CHARS,
    SpeechFromTextConfig,
    SpeechFromTextFrontend,
    SpeechSynthesizer,
    SpokenText,
    VoiceSpec,
    cli,
    espeak,
    sample_voices,
    split_variants,
)
from recog_tts import plugin as tts_plugin
from recog_tts.__main__ import main as module_main

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples" / "speech"
NATIVE = 22050


def f0(audio: np.ndarray, sr: int) -> float:
    """Median autocorrelation pitch (Hz) of the louder 40 ms frames, searched in 60..400 Hz."""
    n = int(0.04 * sr)
    level = np.sqrt(np.mean(audio**2))
    found = []
    for s in range(0, len(audio) - n, n // 2):
        x = audio[s : s + n] - audio[s : s + n].mean()
        if np.sqrt(np.mean(x**2)) < level:
            continue
        ac = np.correlate(x, x, "full")[n - 1 :]
        lo, hi = int(sr / 400), int(sr / 60)
        lag = lo + int(np.argmax(ac[lo:hi]))
        if ac[lag] > 0.3 * ac[0]:
            found.append(sr / lag)
    return float(np.median(found))


@pytest.fixture(scope="module")
def synth() -> SpeechSynthesizer:
    return SpeechSynthesizer()


SENTENCE = "Please say the numbers one two three and then stop"


# --- the espeak-ng binding ------------------------------------------------------------
def test_binding_reports_rate_voices_and_variants():
    assert espeak.sample_rate() == NATIVE
    assert espeak.version().startswith("1.52")
    langs = {v.languages[0] for v in espeak.list_voices()}
    assert {"en-us", "en-gb-x-rp", "en-029", "ru", "de"} <= langs
    assert len(espeak.list_voices()) > 100
    variants = espeak.list_variants()
    assert {"m3", "f2", "f3", "klatt", "whisper"} <= set(variants)
    assert len(variants) == len(set(variants)) > 100
    assert {"en-us", "en-gb-x-rp", "ru"} <= set(SpeechSynthesizer.languages())


def test_binding_returns_int16_and_guards_length():
    pcm = espeak.synthesize("YES", "en-us")
    assert pcm.dtype == np.int16 and pcm.ndim == 1 and 0.2 * NATIVE < len(pcm) < 1.5 * NATIVE
    with pytest.raises(TextError, match="longer than the limit of 1000 samples"):
        espeak.synthesize("one two three four five", "en-us", max_samples=1000)
    with pytest.raises(ConfigError, match="no voice 'zz'"):
        espeak.synthesize("YES", "zz")


# --- synthesis ------------------------------------------------------------------------
def test_synthesis_is_speech_of_plausible_duration(synth):
    r = synth.synthesize("THREE FIVE TWO")
    assert r.sample_rate == NATIVE and r.text == "THREE FIVE TWO" and r.voice == VoiceSpec()
    assert r.audio.dtype == np.float32 and r.audio.ndim == 1
    assert np.isfinite(r.audio).all() and np.abs(r.audio).max() <= 1.0
    assert np.sqrt(np.mean(r.audio**2)) > 0.02  # not silent
    assert 0.5 < r.duration < 2.0  # three words at 175 wpm
    assert 80 < f0(r.audio, r.sample_rate) < 140  # a male voice


def test_rate_changes_duration(synth):
    slow = synth.synthesize(SENTENCE, VoiceSpec(rate=100)).duration
    normal = synth.synthesize(SENTENCE, VoiceSpec(rate=175)).duration
    fast = synth.synthesize(SENTENCE, VoiceSpec(rate=300)).duration
    assert 2.0 < normal < 4.0
    assert slow > 1.5 * normal > 2.25 * fast


def test_voices_and_variants_change_the_output(synth):
    base = synth.synthesize(SENTENCE)
    outs = {v: synth.synthesize(SENTENCE, VoiceSpec(variant=v)) for v in ("m3", "f2", "f3", "klatt")}
    rp = synth.synthesize(SENTENCE, VoiceSpec("en-gb-x-rp"))
    for r in [*outs.values(), rp]:
        assert len(r.audio) != len(base.audio) or not np.array_equal(r.audio, base.audio)
    assert f0(outs["f2"].audio, NATIVE) > 170 and f0(outs["f3"].audio, NATIVE) > 170  # female variants
    assert f0(outs["m3"].audio, NATIVE) < 140
    low = f0(synth.synthesize(SENTENCE, VoiceSpec(pitch=10)).audio, NATIVE)
    high = f0(synth.synthesize(SENTENCE, VoiceSpec(pitch=90)).audio, NATIVE)
    assert high > 1.5 * low


def test_synthesis_is_deterministic_whatever_came_before(synth):
    first = synth.synthesize("ERASE C Q Q F SEVEN", VoiceSpec(variant="whisper"))  # noise-excited voice
    synth.synthesize(SENTENCE, VoiceSpec(variant="klatt", pitch=80))
    again = synth.synthesize("ERASE C Q Q F SEVEN", VoiceSpec(variant="whisper"))
    assert np.array_equal(first.audio, again.audio)


def test_resampling_to_16k(synth):
    native = synth.synthesize("THREE FIVE TWO")
    r = SpeechSynthesizer(sample_rate=16000).synthesize("THREE FIVE TWO")
    assert r.sample_rate == 16000 and r.audio.dtype == np.float32
    assert abs(len(r.audio) - len(native.audio) * 16000 / NATIVE) <= 1
    assert abs(r.duration - native.duration) < 1e-3 and np.abs(r.audio).max() <= 1.0


def test_concurrent_threads_get_their_serial_result(synth):
    texts = [f"{w} number {i}" for i, w in enumerate("YES NO STOP GO ERASE RUBOUT ENTER REPEAT".split())]
    voices = [VoiceSpec(variant=v) for v in ("m3", "f2", "klatt", None, "f3", "whisper", "m1", "croak")]
    serial = [synth.synthesize(t, v).audio for t, v in reversed(list(zip(texts, voices)))][::-1]
    barrier = threading.Barrier(8)

    def work(i: int) -> list[np.ndarray]:
        barrier.wait()
        return [synth.synthesize(texts[i], voices[i]).audio for _ in range(3)]

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(work, range(8)))
    for i, outs in enumerate(results):
        for out in outs:
            assert np.array_equal(out, serial[i]), f"thread {i} differs from its serial result"


# --- bad text -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, match",
    [
        ("", "nothing to speak"),
        ("  \n\t \u00a0 ", "nothing to speak"),
        ("\x00\x01\x07\x1b", "nothing to speak"),
        ("😀🎉👍🏽\u200d❤️", "nothing to speak"),
        ("?! ... --", "no letters or digits"),
        ("a" * (MAX_TEXT_CHARS + 1), "limit is 10,000"),
        ("\u0661\u0662\u0663", "produced no sound"),  # Arabic-Indic digits: the English voice is silent
    ],
    ids=["empty", "whitespace", "control", "emoji", "punctuation", "too-long", "unreadable"],
)
def test_bad_text_raises_text_error_naming_it(synth, text, match):
    with pytest.raises(TextError, match=match) as e:
        synth.synthesize(text)
    assert str(e.value).startswith("<text " + repr(text[:24])[:-1])  # a short preview of the text


def test_megabytes_of_text_fail_at_once(synth):
    t0 = time.perf_counter()
    with pytest.raises(TextError, match=r"1,048,576 characters long; the limit is 10,000") as e:
        synth.synthesize(("spoken words " * 80660)[: 1 << 20])
    assert time.perf_counter() - t0 < 0.5
    assert len(str(e.value)) < 200


@pytest.mark.parametrize("text", [b"YES", None, 42])
def test_non_text_raises(synth, text):
    with pytest.raises(TextError, match="expected a str of text to speak"):
        synth.synthesize(text)


def test_speech_length_guard():
    with pytest.raises(TextError, match="longer than the limit"):
        SpeechSynthesizer(max_seconds=0.5).synthesize(SENTENCE)


def test_emoji_and_control_characters_are_removed(synth):
    plain = synth.synthesize("hello world")
    for messy in ("hello 😀 world", "hello\tworld\n", "hello \u200bworld\x07", " hello 👍🏽  world ✨"):
        r = synth.synthesize(messy)
        assert r.text == "hello world"
        assert np.array_equal(r.audio, plain.audio)


def test_mixed_scripts_are_spoken_as_the_voice_can(synth):
    hello = synth.synthesize("Hello")
    mixed = synth.synthesize("Hello Привет")  # the English voice spells the Cyrillic letters
    assert mixed.duration > hello.duration + 1.0
    han = synth.synthesize("你好")  # "Chinese letter" twice
    assert han.duration > 1.0 and np.abs(han.audio).max() > 0.1
    russian = synth.synthesize("Привет мир", VoiceSpec("ru"))  # the language's own voice
    assert 0.5 < russian.duration < 2.0 and russian.text == "Привет мир"


def test_voice_spec_checks():
    assert VoiceSpec.parse("en-us+f3", rate=150) == VoiceSpec("en-us", "f3", 150)
    assert VoiceSpec("en-us", "f3").name == "en-us+f3" and VoiceSpec().name == "en-us"
    assert VoiceSpec("en-gb-x-rp", "m3", 160, 40, 70).id == "en-gb-x-rp+m3:r160:p40:g70"
    for bad in ({"rate": 10}, {"rate": 500}, {"pitch": 101}, {"pitch_range": -1}, {"pitch": 5.5},
                {"language": ""}, {"language": "en+f2"}, {"variant": ""}):
        with pytest.raises(ConfigError):
            VoiceSpec(**bad)
    with pytest.raises(ConfigError, match="no voice variant 'nosuch'"):
        SpeechSynthesizer().synthesize("YES", VoiceSpec(variant="nosuch"))
    with pytest.raises(ConfigError, match="no voice 'xx-yy'"):
        SpeechSynthesizer().synthesize("YES", VoiceSpec("xx-yy"))
    assert {"en", "en-us", "en-gb-x-rp", "ru"} <= set(SpeechSynthesizer.languages())
    for lang in ("en", "EN-US", *DEFAULT_LANGUAGES):
        VoiceSpec(lang).check()
    with pytest.raises(ConfigError):
        SpeechSynthesizer(sample_rate=0)


# --- the voice sampler ----------------------------------------------------------------
def test_sampler_is_deterministic_per_seed():
    a, b, c = sample_voices(12, seed=7), sample_voices(12, seed=7), sample_voices(12, seed=8)
    assert a == b and a != c
    assert len({(v.language, v.variant) for v in a}) == 12  # distinct voices
    assert all(130 <= v.rate <= 210 and 25 <= v.pitch <= 75 and 30 <= v.pitch_range <= 80 for v in a)
    assert sample_voices(5, 7, ("en-gb-x-rp", "en-us")) == sample_voices(5, 7, ("en-us", "en-gb-x-rp"))
    assert {v.language for v in sample_voices(30, 1, languages=("en-gb-x-rp",))} == {"en-gb-x-rp"}
    many = sample_voices(2000, 3, languages=("en-us",), variants=("m3", "f2"))  # more voices than pairs
    assert len(many) == 2000 and {v.variant for v in many} == {"m3", "f2"}


def test_held_out_variants_are_deterministic_and_respected():
    train, held = split_variants(held_out_fraction=0.25)
    assert (train, held) == split_variants(held_out_fraction=0.25)
    assert not set(train) & set(held) and 0.1 < len(held) / (len(train) + len(held)) < 0.4
    # a variant's side depends on its name only, not on which other variants are listed
    sub_train, sub_held = split_variants([*held[:3], *train[:5], "a-new-variant"], held_out_fraction=0.25)
    assert set(held[:3]) <= set(sub_held) and set(train[:5]) <= set(sub_train)
    voices = sample_voices(200, seed=0, exclude_variants=held)
    assert not {v.variant for v in voices} & set(held)
    assert {v.variant for v in sample_voices(10, seed=0, variants=held)} <= set(held)
    with pytest.raises(ConfigError, match="every variant is excluded"):
        sample_voices(1, 0, variants=("m3",), exclude_variants=("m3",))


# --- the frontend ---------------------------------------------------------------------
STUB = "audio-stub-for-tts-tests"


@dataclass(frozen=True)
class _StubAudioConfig(FrontendConfig):
    sample_rate: int = 8000
    n_mels: int = 80


class _StubAudioFrontend(Frontend):
    """Stands in for the audio frontend: one (1, n_mels) column per 10 ms of waveform."""

    name = STUB
    config_class = _StubAudioConfig

    @property
    def in_features(self) -> int:
        return self.config.n_mels

    def load(self, source):
        raise NotImplementedError

    def featurize(self, raw, *, augment=False, generator=None) -> Features:
        hop = self.config.sample_rate // 100
        return Features(raw[: len(raw) // hop * hop].reshape(1, 1, -1, hop).mean(-1).expand(1, self.config.n_mels, -1),
                        0.01, "s")


class _StubPlugin:
    @hookimpl
    def register_frontends(self, register):
        register(_StubAudioFrontend)


@pytest.fixture
def stub_audio():
    host = get_host()
    host.register(_StubPlugin(), name="tts-test-stub")
    yield host
    host.unregister("tts-test-stub")


def test_plugin_registers_frontend_and_command_through_entry_point():
    host = get_host()
    assert host.frontend("tts") is SpeechFromTextFrontend
    help_, configure, run = host.commands()["synth"]
    assert (configure, run) == (cli.configure, cli.run) and "espeak-ng" in help_
    info = {i.name: i for i in host.info()}["tts"]
    assert info.status == "ok" and {"register_frontends", "register_commands"} <= set(info.hooks)


def test_plugin_hooks_register_what_they_should():
    frontends, commands = [], []
    tts_plugin.register_frontends(frontends.append)
    tts_plugin.register_commands(lambda *a: commands.append(a))
    assert frontends == [SpeechFromTextFrontend] and [c[0] for c in commands] == ["synth"]


def test_frontend_claims_spoken_text_only():
    fe = SpeechFromTextFrontend
    assert fe.name == "tts" and fe.unit == "s" and fe.default_model == "speech" and fe.suffixes == ()
    assert fe.accepts_object(SpokenText("YES"))
    assert not fe.accepts_object("YES") and not fe.accepts_object(str(SAMPLES / "yes.wav"))
    assert not fe.accepts_object(np.zeros(10)) and not fe.accepts_object(b"YES")
    assert not fe.sniff(b"RIFF\x00\x00\x00\x00WAVE") and fe.accepts_path(Path("prompts.txt"), b"YES\n") == 0
    assert default_model_for(SpokenText("THREE FIVE TWO")) == "speech"


def test_frontend_config_round_trip_and_checks():
    fe = SpeechFromTextFrontend.from_config_dict({"variant": "f2", "rate": 150, "audio": {"n_mels": 80}})
    d = fe.config_dict()
    assert d["variant"] == "f2" and d["audio"] == {"n_mels": 80} and d["audio_frontend"] == "audio"
    assert SpeechFromTextFrontend.from_config_dict(d).config == fe.config
    assert fe.voice == VoiceSpec("en-us", "f2", 150)
    with pytest.raises(ConfigError):
        SpeechFromTextFrontend.from_config_dict({"rate": 5})
    with pytest.raises(ConfigError):
        SpeechFromTextFrontend.from_config_dict({"speed": 1})
    with pytest.raises(ConfigError):
        SpeechFromTextFrontend(SpeechFromTextConfig(audio="n_mels=80"))
    with pytest.raises(ConfigError, match="no voice variant 'nosuch'"):
        SpeechFromTextFrontend(SpeechFromTextConfig(variant="nosuch"))


def test_frontend_loads_at_audio_rate_and_delegates_featurize(stub_audio):
    fe = SpeechFromTextFrontend(SpeechFromTextConfig(variant="f3", audio_frontend=STUB, audio={"sample_rate": 8000}))
    assert fe.sample_rate == 8000 and fe.in_features == 80
    wav = fe.load("THREE FIVE TWO")
    native = SpeechSynthesizer().synthesize("THREE FIVE TWO", VoiceSpec(variant="f3"))
    assert isinstance(wav, torch.Tensor) and wav.dtype == torch.float32 and wav.ndim == 1
    assert abs(len(wav) - len(native.audio) * 8000 / NATIVE) <= 1
    feats = fe.featurize(wav)
    assert feats.data.shape == (1, 80, len(wav) // 80) and feats.unit == "s" and feats.frame_step == 0.01
    assert torch.equal(fe.features(SpokenText("THREE FIVE TWO")).data, feats.data)
    assert fe.windows("THREE FIVE TWO") is None  # the stub has no windows: one pass
    assert fe.feature_module() is None  # nor in-graph features
    wav[:] = 0  # a caller's changes do not reach the frontend's cache of the last text
    assert torch.equal(fe.load("THREE FIVE TWO"), fe.load("THREE FIVE TWO")) and fe.load("THREE FIVE TWO").any()
    with pytest.raises(TextError, match="reads text"):
        fe.load(Path("three.wav"))
    with pytest.raises(TextError, match="nothing to speak"):
        fe.load("   ")


def test_frontend_without_audio_frontend_raises_plugin_error():
    fe = SpeechFromTextFrontend(SpeechFromTextConfig(audio_frontend="no-such-frontend"))
    for call in (lambda: fe.load("YES"), lambda: fe.featurize(torch.zeros(16000)), lambda: fe.in_features):
        with pytest.raises(PluginError, match="tts frontend featurizes through the 'no-such-frontend' frontend"):
            call()


def test_frontend_featurizes_with_the_real_audio_frontend():
    if "audio" not in get_host().frontends():
        pytest.skip("the 'audio' frontend is not registered yet (plugins/recog_audio)")
    fe = get_host().frontend("tts")()
    wav = fe.load("THREE FIVE TWO")
    assert fe.sample_rate == 16000 and fe.in_features == 80 and fe.windows("THREE FIVE TWO") is None
    feats = fe.featurize(wav)
    assert feats.data.shape == (1, 80, feats.num_frames) and abs(feats.num_frames - len(wav) / 160) <= 2
    assert torch.isfinite(feats.data).all() and feats.unit == "s" and feats.frame_step == 0.01
    assert torch.equal(fe.features(SpokenText("THREE FIVE TWO")).data, feats.data)
    audio_module = get_host().frontend("audio")().feature_module()
    assert type(fe.feature_module()) is type(audio_module)
    # speech longer than the audio frontend's window comes back in windows that featurize to (1, 80, T)
    short = SpeechFromTextFrontend(SpeechFromTextConfig(audio={"window_s": 2.0, "overlap_s": 0.5}))
    windows = list(short.windows(SENTENCE))
    assert len(windows) >= 2 and windows[-1].end == pytest.approx(len(short.load(SENTENCE)) / 16000, abs=0.01)
    for w in windows:
        assert short.featurize(w.data).data.shape[:2] == (1, 80)


# --- the synth command ----------------------------------------------------------------
def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="recog synth")
    cli.configure(parser)
    return parser.parse_args([str(a) for a in argv])


def test_cli_single_mode(tmp_path, capsys):
    out = tmp_path / "three.wav"
    assert cli.run(_parse("THREE FIVE TWO", "-o", out, "--voice", "en-us+f3", "--rate", "150", "--pitch", "60")) == 0
    info = sf.info(out)
    assert info.samplerate == 16000 and info.channels == 1 and info.subtype == "PCM_16"
    assert 0.6 < info.duration < 2.5
    line = json.loads(capsys.readouterr().out)
    assert line["speaker"] == "tts:en-us+f3:r150:p60:g50" and line["text"] == "THREE FIVE TWO"
    assert abs(line["duration"] - info.duration) < 1e-3
    audio, _ = sf.read(out, dtype="float32")
    expected = SpeechSynthesizer(16000).synthesize("THREE FIVE TWO", VoiceSpec("en-us", "f3", 150, 60))
    assert len(audio) == len(expected.audio) and np.abs(audio - expected.audio).max() < 2e-4  # 16-bit rounding only


def test_cli_single_mode_native_rate_through_module_main(tmp_path, capsys):
    out = tmp_path / "yes.wav"
    assert module_main(["YES", "-o", str(out), "--sample-rate", "0"]) == 0
    assert sf.info(out).samplerate == NATIVE
    assert module_main(["😀", "-o", str(tmp_path / "x.wav")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("recog synth: error: <text '😀'>: nothing to speak") and not (tmp_path / "x.wav").exists()


def test_cli_corpus_mode_writes_wavs_and_manifest(tmp_path, capsys):
    src = tmp_path / "sentences.txt"
    src.write_text("# AN4-style prompts\nYES\n\nERASE C Q Q F SEVEN\n😀🎉\nTHREE FIVE TWO\n"
                   "RUBOUT G M E F THREE NINE\nSTOP\n", encoding="utf-8")
    args = ("--from", src, "--voices", "2", "--seed", "3", "--limit", "5")
    assert cli.run(_parse(*args, "--out", tmp_path / "a")) == 0
    captured = capsys.readouterr()
    summary = json.loads(captured.out)
    assert summary["utterances"] == 4 and summary["skipped"] == 1 and summary["voices"] == 2
    assert "skipped sentence 3: <text '😀🎉'>: nothing to speak" in captured.err
    assert "synth [" not in captured.err  # the progress bar draws on a terminal only (tests/test_progress.py)
    manifest = tmp_path / "a" / "manifest.jsonl"
    rows = [json.loads(line) for line in manifest.read_text().splitlines()]
    assert [r["text"] for r in rows] == ["YES", "ERASE C Q Q F SEVEN", "THREE FIVE TWO", "RUBOUT G M E F THREE NINE"]
    for r in rows:
        assert set(r) == {"path", "text", "speaker", "duration"} and r["path"].startswith("audio/")
        info = sf.info(tmp_path / "a" / r["path"])
        assert info.samplerate == 16000 and abs(info.duration - r["duration"]) < 1e-3 and r["duration"] > 0.2
    speakers = [r["speaker"] for r in rows]
    assert all(s.startswith("tts:") for s in speakers) and len(set(speakers)) == 2
    assert speakers[0] == speakers[3] != speakers[1] == speakers[2]  # sentence i gets voice i % 2
    assert [v.id for v in sample_voices(2, 3)] == [s[4:] for s in speakers[:2]]
    utts = read_manifest(manifest)  # the engine reads it
    assert [u.group for u in utts] == speakers and all(Path(u.path).is_file() for u in utts)
    # the same command gives the same corpus, byte for byte
    assert cli.run(_parse(*args, "--out", tmp_path / "b", "--quiet")) == 0
    assert (tmp_path / "b" / "manifest.jsonl").read_text() == manifest.read_text()
    for r in rows:
        assert (tmp_path / "b" / r["path"]).read_bytes() == (tmp_path / "a" / r["path"]).read_bytes()


def test_cli_corpus_split_samples_held_out_voices(tmp_path, capsys):
    src = tmp_path / "s.txt"
    src.write_text("YES\nNO\nSTOP\n")
    assert cli.run(_parse("--from", src, "--out", tmp_path / "t", "--voices", "3", "--split", "test", "--quiet")) == 0
    _, held = split_variants()
    rows = [json.loads(x) for x in (tmp_path / "t" / "manifest.jsonl").read_text().splitlines()]
    variants = {r["speaker"].removeprefix("tts:").split(":")[0].partition("+")[2] for r in rows}
    assert len(rows) == 3 and variants <= set(held)


@pytest.mark.parametrize(
    "argv, match",
    [
        (("-o", "x.wav"), "either TEXT or --from"),
        (("YES", "--from", "s.txt", "-o", "x"), "either TEXT or --from"),
        (("--from", "s.txt", "-o", "x", "--voice", "en-us+f3"), "--voice are for single mode"),
        (("--from", "s.txt", "-o", "x", "--voices", "0"), "--voices must be >= 1"),
        (("--from", "missing.txt", "-o", "x"), "missing.txt: no such file"),
        (("YES", "-o", "x.wav", "--voice", "en-us+nosuch"), "no voice variant 'nosuch'"),
        (("YES", "-o", "x.wav", "--rate", "5"), "rate must be an integer in 80..450"),
        (("--from", "s.txt", "-o", "x", "--languages", "en-us,xx"), "no voice 'xx'"),
    ],
)
def test_cli_errors(tmp_path, monkeypatch, argv, match):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s.txt").write_text("YES\n")
    with pytest.raises(RecogError, match=match):
        cli.run(_parse(*argv))


def test_committed_samples_are_16k_speech():
    names = ["yes.wav", "enter_six_two_four.wav", "j_o_h_n.wav", "three_five_two.wav"]
    for name in names:
        audio, sr = sf.read(SAMPLES / name, dtype="float32")
        assert sr == 16000 and audio.ndim == 1 and 0.3 < len(audio) / sr < 4.0
        assert np.sqrt(np.mean(audio**2)) > 0.02
    rows = [json.loads(line) for line in (SAMPLES / "manifest.jsonl").read_text().splitlines()]
    assert [r["path"] for r in rows] == names and rows[1]["text"] == "ENTER SIX TWO FOUR"


def test_recog_cli_runs_synth(tmp_path, capsys):
    from recog.cli import main

    assert main(["synth", "STOP", "-o", str(tmp_path / "stop.wav")]) == 0
    assert sf.info(tmp_path / "stop.wav").samplerate == 16000
    assert main(["synth", "   ", "-o", str(tmp_path / "blank.wav")]) == 2
    assert "recog: error: <text '   '>: nothing to speak" in capsys.readouterr().err


def test_every_listed_language_speaks_or_says_why():
    """`recog synth --voice en-gb` failed although en-gb was listed: a language is spoken by the voice listing it."""
    synth = SpeechSynthesizer(sample_rate=16000)
    for lang in ("en-gb", "en-gb+f3", "fr-fr"):
        assert synth.synthesize("hello", VoiceSpec.parse(lang)).duration > 0.2
    for lang in SpeechSynthesizer.languages():
        try:
            synth.synthesize("hello", VoiceSpec(lang))
        except TextError as e:  # the wheel lacks this language's dictionary: said, not crashed
            assert "produced no sound" in str(e)


@pytest.mark.parametrize("raw, clean", [
    ("hello\x00world", "hello world"),  # a NUL is no glue between words
    ("red \x1b[31mtext\x1b[0m here", "red text here"),  # terminal colours are not spoken as digits and letters
    ("\x1b]0;title\x07done", "done"),
    ('<speak>hi <break time="1s"/> there</speak>', "hi there"),  # SSML is not interpreted; its tags are no words
    ("x < y and y > z", "x < y and y > z"),  # comparisons are not tags
])
def test_control_codes_and_markup_are_cleaned(raw, clean):
    from recog_tts.text import prepare_text

    assert prepare_text(raw) == clean
