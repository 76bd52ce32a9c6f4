"""Tests of recog_audio.acoustics: simulated rooms, recorded background noise, the telephone channel,
and their place in the seeded training augmentation (never at evaluation)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import soundfile as sf
import torch

from recog import ConfigError, DataError
from recog_audio import LogMelConfig, LogMelFrontend
from recog_audio.acoustics import NoiseBank, reverberate, room_impulse_response, telephone_channel
from recog_audio.augment import augment_waveform

SR = 16_000


def _sine(freq: float, seconds: float = 1.0, rate: int = SR) -> torch.Tensor:
    t = torch.arange(int(seconds * rate)) / rate
    return 0.5 * torch.sin(2 * torch.pi * freq * t)


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("RECOG_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache" / "rirs"


def test_rooms_are_deterministic_distinct_unit_energy_and_cached_on_disk(cache):
    a = room_impulse_response(3, SR, 0.2, 0.6)
    b = room_impulse_response(4, SR, 0.2, 0.6)
    assert a.ndim == 1 and a.shape[0] > SR // 100
    assert float(a.pow(2).sum()) == pytest.approx(1.0, abs=1e-4)
    assert a.shape != b.shape or not torch.equal(a, b)
    files = list(cache.glob("*.npy"))
    assert len(files) == 2
    assert np.array_equal(np.load(files[0]), a.numpy()) or np.array_equal(np.load(files[0]), b.numpy())
    # the direct path comes first: the peak is within the first 3 ms
    assert int(a.abs().argmax()) <= int(0.003 * SR)


def test_a_damaged_cache_file_is_simulated_again(cache, monkeypatch):
    import recog_audio.acoustics as ac

    first = room_impulse_response(7, SR, 0.2, 0.6)
    for f in cache.glob("*.npy"):
        f.write_bytes(b"not numpy")
    monkeypatch.setattr(ac, "_RIRS", {})  # forget the in-memory copy
    assert torch.equal(room_impulse_response(7, SR, 0.2, 0.6), first)


def test_reverberation_keeps_length_and_level_and_smears_a_click(cache):
    rir = room_impulse_response(1, SR, 0.3, 0.8)
    x = _sine(440.0)
    y = reverberate(x, rir)
    assert y.shape == x.shape
    assert float(y.pow(2).mean().sqrt()) == pytest.approx(float(x.pow(2).mean().sqrt()), rel=1e-3)
    click = torch.zeros(SR)
    click[0] = 1.0
    heard = reverberate(click, rir)
    assert int((heard.abs() > 1e-4).sum()) > SR // 50  # one sample in, a tail of echoes out


def _noise_manifest(tmp_path, rate=8000):
    rng = np.random.default_rng(0)
    sf.write(tmp_path / "hum.wav", 0.1 * rng.standard_normal(rate // 2).astype(np.float32), rate)
    sf.write(tmp_path / "silent.wav", np.zeros(rate, np.float32), rate)
    m = tmp_path / "noise.jsonl"
    m.write_text(json.dumps({"path": "hum.wav"}) + "\n" + json.dumps({"path": "silent.wav"}) + "\n")
    return m


def test_noise_bank_resamples_skips_silence_and_loops_short_recordings(tmp_path):
    bank = NoiseBank(_noise_manifest(tmp_path), SR)
    assert len(bank.waves) == 1 and bank.waves[0].shape[0] == SR // 2  # 0.5 s at 8 kHz -> 16 kHz; silence left out
    g = torch.Generator().manual_seed(0)
    seg = bank.segment(3 * SR, g)
    assert seg.shape == (3 * SR,) and float(seg.abs().max()) > 0
    assert torch.equal(bank.segment(1000, torch.Generator().manual_seed(5)), bank.segment(1000, torch.Generator().manual_seed(5)))


def test_noise_bank_errors_name_the_manifest_and_line(tmp_path):
    with pytest.raises(DataError, match="nope.jsonl: noise manifest not found"):
        NoiseBank(tmp_path / "nope.jsonl", SR)
    (tmp_path / "junk.wav").write_bytes(b"RIFFjunk")
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"path": "junk.wav"}) + "\n")
    with pytest.raises(DataError, match=r"bad.jsonl:1: .*junk.wav"):
        NoiseBank(bad, SR)
    nopath = tmp_path / "nopath.jsonl"
    nopath.write_text('{"name": "x"}\n')
    with pytest.raises(DataError, match=r"nopath.jsonl:1: each line needs a 'path'"):
        NoiseBank(nopath, SR)
    only_silence = tmp_path / "quiet.jsonl"
    sf.write(tmp_path / "zero.wav", np.zeros(SR, np.float32), SR)
    only_silence.write_text(json.dumps({"path": "zero.wav"}) + "\n")
    with pytest.raises(DataError, match="no usable noise recordings"):
        NoiseBank(only_silence, SR)


def test_telephone_channel_keeps_the_voice_band_and_cuts_the_rest():
    def level(x):
        return float(x[SR // 10 :].pow(2).mean().sqrt())  # past the filters' start-up

    voice, high, low = _sine(1000.0), _sine(6000.0), _sine(100.0)
    assert telephone_channel(voice, SR).shape == voice.shape
    assert level(telephone_channel(voice, SR)) > 0.8 * level(voice)
    assert level(telephone_channel(high, SR)) < 0.01 * level(high)  # above 4 kHz: gone at 8 kHz
    assert level(telephone_channel(low, SR)) < 0.3 * level(low)  # below 300 Hz: attenuated
    assert telephone_channel(torch.zeros(0), SR).shape == (0,)


def test_room_noise_and_telephone_are_seeded_and_only_in_training(tmp_path, cache):
    cfg = LogMelConfig(noise_prob=1.0, noise_manifest=str(_noise_manifest(tmp_path)), recorded_noise_share=1.0,
                       reverb_prob=1.0, reverb_rooms=3, telephone_prob=1.0, speed_prob=0.0, gain_prob=0.0)
    x = _sine(700.0)
    a = augment_waveform(x, cfg, torch.Generator().manual_seed(1))
    b = augment_waveform(x, cfg, torch.Generator().manual_seed(1))
    c = augment_waveform(x, cfg, torch.Generator().manual_seed(2))
    assert torch.equal(a, b) and not torch.equal(a, c) and a.shape == x.shape
    fe = LogMelFrontend(cfg)
    plain = LogMelFrontend(LogMelConfig())
    assert torch.equal(fe.featurize(x).data, plain.featurize(x).data)  # augment=False: none of it


@pytest.mark.parametrize("bad", [{"reverb_prob": 1.5}, {"telephone_prob": -0.1}, {"recorded_noise_share": 2.0},
                                 {"reverb_rooms": 0}, {"rt60_min": 0.9, "rt60_max": 0.5}, {"rt60_min": 0.0}])
def test_acoustic_settings_are_checked(bad):
    with pytest.raises(ConfigError):
        LogMelConfig(**bad)


def test_recorded_noise_from_the_shared_noise_set(shared_data):
    bank = NoiseBank(shared_data / "noise" / "all.jsonl", SR)
    assert len(bank.waves) == 6 and all(w.shape[0] > 50 * SR for w in bank.waves)
