"""Tests of the audio frontend plugin (recog_audio): reading, errors, log-mel, augmentation, windows, registration.

All audio is generated in tmp_path from analytic signals and seeded generators; the real-data test
reads ../shared/data when it exists.
"""

from __future__ import annotations

import importlib.metadata as md
import json
import math
import os
import tracemalloc

import numpy as np
import pytest
import soundfile as sf
import torch
import torchaudio

from recog import ConfigError, CorruptInputError, EmptyInputError, InputNotFoundError, UnsupportedFormatError
from recog.frontend import Features, Piece
from recog.plugins import get_host
from recog_audio import LogMel, LogMelConfig, LogMelFrontend
from recog_audio import plugin as audio_plugin
from recog_audio.augment import add_noise, apply_gain, colored_noise, spec_augment, speed_perturb, warp_mel_axis
from recog_audio.windows import plan_windows

SR = 16_000


# --- generated signals --------------------------------------------------------


def sweep(t: np.ndarray) -> np.ndarray:
    """A 1 s chirp from 200 Hz to 3 kHz (below every test rate's Nyquist), repeating; amplitude 0.5."""
    t = np.mod(t, 1.0)
    return 0.5 * np.sin(2 * np.pi * (200 * t + 1400 * t * t))


def signal(rate: int, seconds: float) -> np.ndarray:
    """:func:`sweep` sampled at ``rate``, float32 ``(S,)``."""
    return sweep(np.arange(round(rate * seconds)) / rate).astype(np.float32)


def write(path, rate: int = SR, seconds: float = 1.0, *, channels: int = 1, **kw) -> np.ndarray:
    """Write the sweep (channel c scaled by 1/(c+1)) and return the expected mono mix at 16 kHz."""
    x = signal(rate, seconds)
    scales = np.array([1.0 / (c + 1) for c in range(channels)], dtype=np.float32)
    sf.write(path, x[:, None] * scales, rate, **kw)
    return signal(SR, seconds) * float(scales.mean())


def close_inside(got: torch.Tensor, want: np.ndarray, tol: float, edge: int = 200) -> None:
    """Equal length and within ``tol`` away from the edges (resampling and codecs ring there)."""
    assert got.dtype == torch.float32 and got.ndim == 1
    assert got.shape[0] == len(want)
    err = np.abs(got.numpy()[edge:-edge] - want[edge:-edge]).max()
    assert err < tol, err


def correlation(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


@pytest.fixture(scope="module")
def fe() -> LogMelFrontend:
    return LogMelFrontend()


# --- reading --------------------------------------------------------------------


@pytest.mark.parametrize("rate", [8000, 16000, 44100, 48000])
@pytest.mark.parametrize("subtype", ["PCM_16", "PCM_24", "FLOAT"])
def test_wav_any_rate_and_depth_is_resampled_to_16k(fe, tmp_path, rate, subtype):
    want = write(tmp_path / "a.wav", rate, subtype=subtype)
    # 8 kHz -> 16 kHz: the 3 kHz top of the sweep sits in the resampler's roll-off (about 1% there)
    close_inside(fe.load(tmp_path / "a.wav"), want, {8000: 1e-2, 16000: 1e-4}.get(rate, 1e-3))


@pytest.mark.parametrize("subtype,tol", [("PCM_U8", 2e-2), ("PCM_32", 1e-4), ("DOUBLE", 1e-4)])
def test_wav_other_depths(fe, tmp_path, subtype, tol):
    want = write(tmp_path / "a.wav", subtype=subtype)
    close_inside(fe.load(str(tmp_path / "a.wav")), want, tol)


@pytest.mark.parametrize("channels", [2, 6])
def test_multichannel_is_averaged_to_mono(fe, tmp_path, channels):
    want = write(tmp_path / "a.wav", 44100, channels=channels, subtype="PCM_24")
    close_inside(fe.load(tmp_path / "a.wav"), want, 2e-3)


def test_flac_is_lossless(fe, tmp_path):
    want = write(tmp_path / "a.flac", 22050, channels=2, subtype="PCM_24")
    close_inside(fe.load(tmp_path / "a.flac"), want, 2e-3)


@pytest.mark.parametrize(
    "suffix,fmt,subtype,rate", [(".ogg", "OGG", "VORBIS", 44100), (".mp3", "MP3", "MPEG_LAYER_III", 48000)]
)
def test_lossy_formats(fe, tmp_path, suffix, fmt, subtype, rate):
    if fmt not in sf.available_formats():
        pytest.skip(f"this libsndfile ({sf.__libsndfile_version__}) cannot write {fmt}")
    path = tmp_path / f"a{suffix}"
    want = write(path, rate, seconds=2.0, channels=2, format=fmt, subtype=subtype)
    got = fe.load(path).numpy()
    assert got.dtype == np.float32 and len(got) == len(want)  # encoder delay and padding are removed (gapless)
    assert correlation(got[1000:-1000], want[1000:-1000]) > 0.99


def test_bytes_read_like_the_file(fe, tmp_path):
    write(tmp_path / "a.flac", 8000, channels=2)
    assert torch.equal(fe.load((tmp_path / "a.flac").read_bytes()), fe.load(tmp_path / "a.flac"))
    assert torch.equal(fe.load(bytearray((tmp_path / "a.flac").read_bytes())), fe.load(tmp_path / "a.flac"))


def test_arrays_tensors_and_tuples(fe):
    x = signal(SR, 1.0)
    assert torch.equal(fe.load(x), torch.from_numpy(x))
    assert torch.equal(fe.load(torch.from_numpy(x)), torch.from_numpy(x))
    assert torch.allclose(fe.load(x.astype(np.float64)), torch.from_numpy(x))
    stereo = np.stack([x, 0.5 * x])  # (C, S)
    assert torch.allclose(fe.load(stereo), torch.from_numpy(0.75 * x))
    assert torch.allclose(fe.load(torch.from_numpy(stereo).half()), torch.from_numpy(0.75 * x), atol=1e-3)
    pcm = (x * 32767).astype(np.int16)
    assert torch.allclose(fe.load(pcm), torch.from_numpy(x), atol=1e-4)
    close_inside(fe.load((signal(8000, 1.0), 8000)), x, 1e-2)
    close_inside(fe.load((torch.from_numpy(signal(48000, 1.0)), 48000)), x, 2e-3)
    before = x.copy()
    fe.load(x)[:] = 0  # the waveform never aliases the caller's array
    assert np.array_equal(x, before)


# --- bad audio --------------------------------------------------------------------


def _raises(fe, source, error, *words):
    with pytest.raises(error) as e:
        fe.load(source)
    msg = str(e.value)
    if isinstance(source, (str, os.PathLike)):  # the message names the file
        assert msg.startswith(f"{source}: ") and e.value.source == str(source)
    for w in words:
        assert w in msg, msg
    assert "\n" not in msg
    return e.value


def test_missing_file_and_directory(fe, tmp_path):
    _raises(fe, tmp_path / "nope.wav", InputNotFoundError, "no such file")
    _raises(fe, tmp_path, InputNotFoundError, "not a regular file")


def test_empty_inputs(fe, tmp_path):
    (tmp_path / "zero.wav").write_bytes(b"")
    _raises(fe, tmp_path / "zero.wav", EmptyInputError, "0 bytes")
    sf.write(tmp_path / "noframes.wav", np.zeros(0, np.float32), SR)
    _raises(fe, tmp_path / "noframes.wav", EmptyInputError, "0 frames")
    sf.write(tmp_path / "noframes.flac", np.zeros((0, 2), np.float32), SR)
    _raises(fe, tmp_path / "noframes.flac", EmptyInputError)
    _raises(fe, np.zeros(0, np.float32), EmptyInputError, "no audio samples")
    _raises(fe, torch.zeros(2, 0), EmptyInputError)


@pytest.mark.parametrize("suffix", [".wav", ".flac", ".ogg", ".mp3"])
def test_non_audio_with_audio_suffix(fe, tmp_path, suffix):
    path = tmp_path / f"notes{suffix}"
    path.write_text("these are meeting notes, not audio\n" * 20)
    _raises(fe, path, UnsupportedFormatError, "not a WAV, FLAC, OGG or MP3 file")
    png = tmp_path / f"image{suffix}"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    _raises(fe, png, UnsupportedFormatError)


def _cut(tmp_path, name, data: bytes, n: int):
    path = tmp_path / f"cut-{n}-{name}"
    path.write_bytes(data[:n])
    return path


def test_truncated_files(fe, tmp_path):
    write(tmp_path / "a.wav", seconds=1.0)
    wav = (tmp_path / "a.wav").read_bytes()
    _raises(fe, _cut(tmp_path, "a.wav", wav, 40), CorruptInputError, "WAV")  # header cut before the data chunk
    _raises(fe, _cut(tmp_path, "a.wav", wav, len(wav) // 2), CorruptInputError, "truncated WAV")
    write(tmp_path / "a.flac", seconds=1.0)
    flac = (tmp_path / "a.flac").read_bytes()
    for n in (40, 100, len(flac) // 2):
        _raises(fe, _cut(tmp_path, "a.flac", flac, n), CorruptInputError, "FLAC")
    write(tmp_path / "a.ogg", seconds=1.0, format="OGG", subtype="VORBIS")
    ogg = (tmp_path / "a.ogg").read_bytes()
    for n in (100, len(ogg) // 2):
        _raises(fe, _cut(tmp_path, "a.ogg", ogg, n), CorruptInputError, "OGG")
    write(tmp_path / "a.mp3", seconds=2.0, format="MP3", subtype="MPEG_LAYER_III")
    mp3 = (tmp_path / "a.mp3").read_bytes()
    for n in (100, len(mp3) // 2):
        _raises(fe, _cut(tmp_path, "a.mp3", mp3, n), CorruptInputError, "MP3")
    _raises(fe, wav[:40], CorruptInputError, "<40 bytes>")  # bytes are named by their size


def test_damaged_flac(fe, tmp_path):
    write(tmp_path / "a.flac", seconds=1.0)
    data = bytearray((tmp_path / "a.flac").read_bytes())
    noise = np.random.default_rng(0).integers(0, 256, 300, dtype=np.uint8).tobytes()
    data[len(data) // 3 : len(data) // 3 + 300] = noise
    (tmp_path / "bad.flac").write_bytes(bytes(data))
    _raises(fe, tmp_path / "bad.flac", CorruptInputError, "cannot decode FLAC")


def test_non_finite_samples(fe, tmp_path):
    x = signal(SR, 0.5)
    x[1234] = np.nan
    sf.write(tmp_path / "nan.wav", x, SR, subtype="FLOAT")
    _raises(fe, tmp_path / "nan.wav", CorruptInputError, "NaN or infinite sample at index 1234")
    x[1234] = np.inf
    _raises(fe, x, CorruptInputError, "index 1234")
    _raises(fe, (torch.from_numpy(x), 8000), CorruptInputError)


@pytest.mark.parametrize("rate", [500, 500_000])
def test_absurd_sample_rates(fe, tmp_path, rate):
    sf.write(tmp_path / "odd.wav", np.zeros(2000, np.float32), rate)
    _raises(fe, tmp_path / "odd.wav", UnsupportedFormatError, f"sample rate {rate} Hz is outside")
    _raises(fe, (np.zeros(2000, np.float32), rate), UnsupportedFormatError, f"sample rate {rate} Hz")


def test_bad_objects(fe):
    x = np.zeros(100, np.float32)
    _raises(fe, (x, 16000.5), UnsupportedFormatError, "integer sample rate")
    _raises(fe, (x, True), UnsupportedFormatError)
    _raises(fe, (x, 16000, 1), UnsupportedFormatError, "(array, sample_rate)")
    _raises(fe, np.zeros((1, 2, 100), np.float32), UnsupportedFormatError, "shape (1, 2, 100)")
    _raises(fe, np.zeros((16000, 2), np.float32), UnsupportedFormatError, "transpose")
    _raises(fe, np.zeros(100, np.uint8), UnsupportedFormatError, "dtype uint8")
    _raises(fe, np.zeros(100, np.complex64), UnsupportedFormatError, "dtype complex64")
    _raises(fe, [0.0, 0.1], UnsupportedFormatError, "expected a path")
    _raises(fe, b"this is not audio at all" * 4, UnsupportedFormatError, "<96 bytes>")


# --- what it accepts -----------------------------------------------------------------


def test_sniff_each_container(tmp_path):
    for name, kw in [
        ("a.wav", {}),
        ("a.flac", {}),
        ("a.ogg", {"format": "OGG", "subtype": "VORBIS"}),
        ("a.mp3", {"format": "MP3", "subtype": "MPEG_LAYER_III"}),
    ]:
        write(tmp_path / name, **kw)
        assert LogMelFrontend.sniff((tmp_path / name).read_bytes()[:64]), name
    assert LogMelFrontend.sniff(b"ID3\x04\x00\x00\x00\x00\x00\x00")
    assert LogMelFrontend.sniff(bytes([0xFF, 0xFB, 0x90, 0x64]))  # MPEG-1 layer III frame header
    assert not LogMelFrontend.sniff(bytes([0xFF, 0xF1, 0x50, 0x80]))  # AAC ADTS: layer bits 00
    assert not LogMelFrontend.sniff(b"\x89PNG\r\n\x1a\n")
    assert not LogMelFrontend.sniff(b"RIFF\x00\x00\x00\x00AVI ")
    assert not LogMelFrontend.sniff(b"")


def test_accepts_objects_and_paths(tmp_path):
    x = np.zeros(100, np.float32)
    write(tmp_path / "a.flac")
    for ok in [x, torch.zeros(100), np.zeros((2, 100), np.int16), (x, 8000), (torch.zeros(100), 44100),
               (tmp_path / "a.flac").read_bytes()]:
        assert LogMelFrontend.accepts_object(ok)
    for no in ["a.wav", tmp_path / "a.flac", np.zeros((64, 256), np.float32), np.zeros((4, 4, 4)),
               np.zeros(100, np.uint8), (x, 8000.0), (x, True), b"hello", [0.0], None]:
        assert not LogMelFrontend.accepts_object(no)
    head = (tmp_path / "a.flac").read_bytes()[:64]
    assert LogMelFrontend.accepts_path(tmp_path / "x.bin", head) == 2  # content wins
    assert LogMelFrontend.accepts_path(tmp_path / "x.MP3", b"junk") == 1  # suffix only
    assert LogMelFrontend.accepts_path(tmp_path / "x.png", b"\x89PNG") == 0


# --- features ----------------------------------------------------------------------------


def test_featurize_shape_step_and_normalisation(fe):
    raw = fe.load(signal(SR, 1.0))
    ft = fe.featurize(raw)
    assert isinstance(ft, Features) and ft.unit == "s" and ft.offset == 0.0
    assert ft.data.shape == (1, 80, 101) and ft.data.dtype == torch.float32
    assert ft.frame_step == pytest.approx(0.01) and fe.in_features == 80
    assert torch.allclose(ft.data.mean(-1), torch.zeros(1, 80), atol=1e-4)
    assert torch.allclose(ft.data.std(-1, unbiased=False), torch.ones(1, 80), atol=1e-2)
    assert fe.length_hint(raw) == 100.0


def test_log_mel_matches_torchaudio_melspectrogram():
    """The conv-DFT spectrum equals torchaudio's STFT-based MelSpectrogram with the same framing."""
    x = torch.from_numpy(signal(SR, 0.7)) + 0.01 * torch.randn(11200, generator=torch.Generator().manual_seed(0))
    ours, n = LogMel(normalize=False)(x[None], torch.tensor([x.shape[0]]))  # (1, 1, F, T)
    ref = torchaudio.transforms.MelSpectrogram(
        SR, n_fft=400, hop_length=160, f_min=20.0, n_mels=80, center=True, pad_mode="constant", mel_scale="htk"
    )(x)
    assert ours.shape == (1, 1, 80, ref.shape[-1]) and int(n) == ref.shape[-1]
    assert (ours[0, 0] - torch.log(ref + 1e-6)).abs().max() < 1e-3


def test_silence_gives_zero_features_not_nan(fe):
    for raw in (torch.zeros(16000), torch.full((8000,), 1e-30), torch.zeros(1), torch.zeros(0)):
        ft = fe.featurize(raw)
        assert torch.isfinite(ft.data).all() and ft.data.abs().max() == 0.0
        aug = fe.featurize(raw, augment=True, generator=torch.Generator().manual_seed(0))
        assert torch.isfinite(aug.data).all()
    assert fe.featurize(fe.load(np.zeros(SR, np.float32))).num_frames == 101


def test_batched_equals_unbatched(fe):
    gen = torch.Generator().manual_seed(3)
    lengths = [8000, 12345, 16000, 161]
    waves = [torch.randn(n, generator=gen) * 0.1 + torch.from_numpy(signal(SR, 1.0)[:n]) for n in lengths]
    batch = torch.randn(len(waves), max(lengths), generator=gen)  # garbage past each length must be ignored
    for i, w in enumerate(waves):
        batch[i, : len(w)] = w
    feats, frames = fe.logmel(batch, torch.tensor(lengths))
    assert feats.shape == (4, 1, 80, 101) and frames.tolist() == [1 + n // 160 for n in lengths]
    for i, w in enumerate(waves):
        single = fe.featurize(w).data  # (1, F, T_i)
        t = int(frames[i])
        assert single.shape[-1] == t
        assert (feats[i, :, :, :t] - single).abs().max() < 1e-5
        assert not feats[i, :, :, t:].any()  # padding frames are zero


def test_chunked_spectrum_is_the_whole_spectrum(fe):
    """featurize transforms frames a chunk at a time (memory); every frame comes out bit for bit the same."""
    from recog_audio.frontend import CHUNK_FRAMES

    assert fe.logmel.chunk_frames == CHUNK_FRAMES and fe.feature_module().chunk_frames is None  # exports: one piece
    gen = torch.Generator().manual_seed(5)
    lengths = [16000 * 7 + 33, 16000 * 3, 100]
    batch = torch.randn(len(lengths), max(lengths), generator=gen)
    whole = LogMel()(batch, torch.tensor(lengths))
    for chunk in (37, CHUNK_FRAMES, 10_000):
        chunked = LogMel(chunk_frames=chunk)(batch, torch.tensor(lengths))
        assert torch.equal(chunked[0], whole[0]) and torch.equal(chunked[1], whole[1])
    one = torch.randn(16000 * 6, generator=gen)  # featurize (chunked) = the exported module (whole)
    assert torch.equal(fe.featurize(one).data, fe.feature_module()(one[None], torch.tensor([one.numel()]))[0][0])


def test_feature_module_is_the_batched_featurize(fe):
    module = fe.feature_module()
    assert isinstance(module, LogMel) and not module.training and module is not fe.logmel
    waves = [torch.from_numpy(signal(SR, 0.5)), torch.from_numpy(signal(SR, 0.3))]
    batch = torch.nn.utils.rnn.pad_sequence(waves, batch_first=True)  # (B, S)
    feats, frames = module(batch, torch.tensor([len(w) for w in waves]))
    for i, w in enumerate(waves):
        assert (feats[i, :, :, : int(frames[i])] - fe.featurize(w).data).abs().max() < 1e-5


def test_log_mel_exports_to_onnx(fe, tmp_path):
    ort = pytest.importorskip("onnxruntime")
    import warnings

    module = fe.feature_module()
    gen = torch.Generator().manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            module, (torch.randn(2, 4000, generator=gen), torch.tensor([4000, 2500])), str(tmp_path / "logmel.onnx"),
            input_names=["waveforms", "lengths"], output_names=["features", "frame_lengths"],
            dynamic_axes={"waveforms": {0: "B", 1: "S"}, "lengths": {0: "B"}, "features": {0: "B", 3: "T"},
                          "frame_lengths": {0: "B"}},
            opset_version=17, dynamo=False,
        )
    session = ort.InferenceSession(str(tmp_path / "logmel.onnx"), providers=["CPUExecutionProvider"])
    x = torch.randn(3, 9999, generator=gen) * 0.1
    lengths = torch.tensor([9999, 5000, 161])
    got, got_frames = session.run(None, {"waveforms": x.numpy(), "lengths": lengths.numpy()})
    want, want_frames = module(x, lengths)
    assert np.array_equal(got_frames, want_frames.numpy())
    assert np.abs(got - want.numpy()).max() < 1e-3


# --- augmentation ----------------------------------------------------------------------------


ALWAYS = LogMelConfig(speed_prob=1.0, gain_prob=1.0, noise_prob=1.0, specaug_prob=1.0)


def test_augmentation_is_deterministic_per_seed_and_uses_only_its_generator():
    fe = LogMelFrontend(ALWAYS)
    raw = fe.load(signal(SR, 1.0))
    clean = fe.featurize(raw).data

    def aug(seed):
        return fe.featurize(raw, augment=True, generator=torch.Generator().manual_seed(seed)).data

    torch.manual_seed(123)
    expected_global = torch.rand(3)
    torch.manual_seed(123)
    a, b, c = aug(7), aug(7), aug(8)
    assert torch.equal(torch.rand(3), expected_global)  # the global RNG was not touched
    assert torch.equal(a, b) and not torch.equal(a, c)
    assert a.shape[:2] == (1, 80) and not torch.equal(a, clean) and torch.isfinite(a).all()
    gen = torch.Generator().manual_seed(5)
    state = gen.get_state()
    assert torch.equal(fe.featurize(raw, augment=False, generator=gen).data, clean)
    assert torch.equal(gen.get_state(), state)  # no augmentation, no draws


def test_speed_and_gain():
    x = torch.from_numpy(signal(SR, 1.0))
    assert speed_perturb(x, 1.1).shape[0] == math.ceil(16000 / 1.1)
    assert speed_perturb(x, 0.9).shape[0] == math.ceil(16000 / 0.9)
    assert torch.equal(speed_perturb(x, 1.0), x)
    assert torch.allclose(apply_gain(x, 6.0), x * 10 ** 0.3)
    fe = LogMelFrontend(ALWAYS)
    frames = {fe.featurize(x, augment=True, generator=torch.Generator().manual_seed(s)).num_frames for s in range(6)}
    # speed 1.1 .. 0.9 gives 14546 .. 17778 samples, so 1 + S // 160 = 91 .. 112 frames
    assert len(frames) > 1 and all(91 <= t <= 112 for t in frames)


def test_noise_colours_and_snr():
    gen = torch.Generator().manual_seed(0)
    n = 1 << 15
    low_to_high = {}
    for color in ("white", "pink", "brown"):
        noise = colored_noise(n, color, gen)
        assert noise.pow(2).mean().sqrt() == pytest.approx(1.0, rel=1e-4)
        power = torch.fft.rfft(noise).abs().pow(2)
        low_to_high[color] = float(power[1 : n // 64].mean() / power[n // 4 :].mean())
    assert low_to_high["white"] == pytest.approx(1.0, rel=0.2)
    assert 10 < low_to_high["pink"] < low_to_high["brown"]
    x = torch.from_numpy(signal(SR, 1.0))
    noisy = add_noise(x, colored_noise(16000, "pink", gen), 10.0)
    snr = 10 * math.log10(float(x.pow(2).mean() / (noisy - x).pow(2).mean()))
    assert snr == pytest.approx(10.0, abs=1e-3)
    assert torch.equal(add_noise(torch.zeros(100), colored_noise(100, "white", gen), 10.0), torch.zeros(100))


def test_spec_augment_masks():
    x = torch.ones(1, 80, 200)
    y = spec_augment(x, time_masks=2, time_mask_max=40, time_mask_max_ratio=0.1, freq_masks=2, freq_mask_max=15,
                     generator=torch.Generator().manual_seed(1))
    assert y.shape == x.shape and torch.equal(x, torch.ones(1, 80, 200))  # input untouched
    zero_rows = int((y[0] == 0).all(-1).sum())
    zero_cols = int((y[0] == 0).all(0).sum())
    assert 0 < zero_rows <= 30 and 0 < zero_cols <= 2 * 20  # ratio 0.1 of 200 frames caps a mask at 20
    assert torch.equal(spec_augment(x, time_masks=0, time_mask_max=40, time_mask_max_ratio=0.2, freq_masks=0,
                                    freq_mask_max=15, generator=None), x)


def _tone(hz: float) -> torch.Tensor:
    t = torch.arange(SR) / SR
    return (0.5 * torch.sin(2 * math.pi * hz * t)).float()


@pytest.mark.parametrize("factor", [0.9, 1.1])
def test_vocal_tract_warp_moves_a_tone_to_its_warped_frequency(factor):
    fe = LogMelFrontend(LogMelConfig(normalize=False))  # per-bin normalisation would flatten a steady tone
    peak = lambda x: int(x[0].mean(-1).argmax())  # noqa: E731  (C, F, T) -> the loudest mel bin
    source, target = fe.featurize(_tone(1000.0)).data, fe.featurize(_tone(1000.0 * factor)).data
    assert peak(source) != peak(target)
    warped = warp_mel_axis(source, factor, f_min=20.0, f_max=8000.0)
    assert warped.shape == source.shape and abs(peak(warped) - peak(target)) <= 1
    assert torch.equal(warp_mel_axis(source, 1.0, f_min=20.0, f_max=8000.0), source)
    # above the knee the band stays filled: the top bin still takes a value from the top of the input
    assert torch.isfinite(warped).all() and warped[0, -1].abs().sum() > 0


def test_vocal_tract_warp_in_training_augmentation_only():
    fe = LogMelFrontend(LogMelConfig(warp_prob=1.0, specaug_prob=0.0, speed_prob=0.0, gain_prob=0.0,
                                     noise_prob=0.0))
    raw = _tone(1000.0)
    clean = fe.featurize(raw).data
    warped = fe.featurize(raw, augment=True, generator=torch.Generator().manual_seed(3)).data
    assert warped.shape == clean.shape and not torch.equal(warped, clean)
    with pytest.raises(ConfigError, match="warp_min"):
        LogMelConfig(warp_min=1.2, warp_max=1.1)
    with pytest.raises(ConfigError, match="warp_prob"):
        LogMelConfig(warp_prob=2.0)


# --- config -----------------------------------------------------------------------------


def test_config_defaults_and_json_round_trip():
    cfg = LogMelConfig()
    assert (cfg.sample_rate, cfg.n_mels, cfg.n_fft, cfg.hop, cfg.normalize) == (16000, 80, 400, 160, True)
    assert (cfg.window_s, cfg.overlap_s, cfg.speed_min, cfg.speed_max, cfg.gain_db) == (20.0, 2.0, 0.9, 1.1, 6.0)
    fe = LogMelFrontend(LogMelConfig(n_mels=40, noise_colors=("pink",)))
    again = LogMelFrontend.from_config_dict(json.loads(json.dumps(fe.config_dict())))
    assert again.config == fe.config and again.config.noise_colors == ("pink",)
    assert again.featurize(torch.zeros(800)).data.shape == (1, 40, 6)


@pytest.mark.parametrize("bad", [
    {"sample_rate": 100}, {"hop": 0}, {"f_max": 9000.0}, {"noise_prob": 1.5}, {"speed_min": 1.2},
    {"noise_colors": ("blue",)}, {"overlap_s": 20.0}, {"nope": 1},
])
def test_config_rejects_bad_values(bad):
    with pytest.raises(ConfigError):
        LogMelConfig.from_dict(bad)


# --- windows ------------------------------------------------------------------------------


def _check_tiling(windows, duration):
    assert windows[0].own[0] == 0.0 and windows[0].start == 0.0
    assert windows[-1].own[1] == duration and windows[-1].end == duration
    for a, b in zip(windows, windows[1:]):
        assert b.own[0] == a.own[1]  # exact: the same float
        assert a.start < b.start < a.end  # neighbours overlap
    for w in windows:
        assert w.start <= w.own[0] < w.own[1] <= w.end


@pytest.mark.parametrize("n", [321, 400, 10_000, 3 * 18 + 2, 3 * 18 + 3, 1000 * 18 + 2])
def test_plan_windows_tiles_exactly(n):
    plan = plan_windows(n, 20, 2)
    if n <= 20:
        assert plan is None
        return
    starts, ends, own_starts, own_ends = zip(*plan)
    assert own_starts[0] == 0 and own_ends[-1] == n and list(own_starts[1:]) == list(own_ends[:-1])
    assert all(e - s == 20 for s, e in zip(starts, ends)) and ends[-1] == n
    assert all(s <= os_ < oe <= e for s, e, os_, oe in plan)


def test_short_inputs_have_no_windows(fe, tmp_path):
    write(tmp_path / "a.wav", seconds=1.0)
    assert fe.windows(tmp_path / "a.wav") is None
    assert fe.windows((tmp_path / "a.wav").read_bytes()) is None
    assert fe.windows(signal(SR, 20.0)) is None


def test_array_windows_are_slices(fe):
    x = signal(SR, 50.0)
    windows = list(fe.windows(x))
    assert len(windows) == 3
    _check_tiling(windows, 50.0)
    for w in windows:
        assert torch.equal(w.data, torch.from_numpy(x[round(w.start * SR) : round(w.end * SR)]))
        assert w.end - w.start == pytest.approx(20.0)
    assert len(list(fe.windows((signal(8000, 45.0), 8000)))) == 3


def test_file_windows_resample_each_block(fe, tmp_path):
    write(tmp_path / "long.flac", 44100, seconds=45.0, channels=2)
    windows = list(fe.windows(tmp_path / "long.flac"))
    _check_tiling(windows, 45.0)
    full = fe.load(tmp_path / "long.flac")
    for w in windows:
        s, e = round(w.start * SR), round(w.end * SR)
        assert w.data.shape == (e - s,)
        assert (w.data[400:-400] - full[s + 400 : e - 400]).abs().max() < 1e-3
    from_bytes = list(fe.windows((tmp_path / "long.flac").read_bytes()))
    assert [(w.start, w.own[1]) for w in from_bytes] == [(w.start, w.own[1]) for w in windows]
    assert all(torch.equal(a.data, b.data) for a, b in zip(from_bytes, windows))


def test_damaged_long_file_is_a_clear_error(fe, tmp_path):
    write(tmp_path / "long.flac", seconds=50.0)
    data = bytearray((tmp_path / "long.flac").read_bytes())
    data[len(data) * 2 // 3 :: 97] = bytes(len(data[len(data) * 2 // 3 :: 97]))
    (tmp_path / "bad.flac").write_bytes(bytes(data))
    with pytest.raises(CorruptInputError, match="bad.flac"):  # the level pass decodes the whole file first
        list(fe.windows(tmp_path / "bad.flac"))


def test_truncated_long_mp3_is_a_clear_error(fe, tmp_path):
    write(tmp_path / "long.mp3", seconds=25.0, format="MP3", subtype="MPEG_LAYER_III")
    data = (tmp_path / "long.mp3").read_bytes()
    (tmp_path / "cut.mp3").write_bytes(data[: len(data) * 6 // 10])
    with pytest.raises(CorruptInputError, match=r"cut\.mp3: truncated or damaged MP3"):  # the header still promises 25 s
        list(fe.windows(tmp_path / "cut.mp3"))


def test_the_recogniser_decodes_a_file_once(fe, tmp_path, monkeypatch):
    """A short file (one pass) and a long one (windows) are each opened and decoded once on the way to text."""
    import recog_audio.io as io_mod
    import recog_audio.windows as windows_mod

    from recog.model import CTCModel, ModelConfig
    from recog.recognizer import Recognizer
    from recog.vocab import Alphabet

    opened = []
    real = windows_mod.open_audio

    def counting(source):
        opened.append(str(source))
        return real(source)

    monkeypatch.setattr(windows_mod, "open_audio", counting)
    monkeypatch.setattr(io_mod, "open_audio", counting)
    write(tmp_path / "short.wav", seconds=2.0)
    alphabet = Alphabet("ab ")
    model = CTCModel(ModelConfig(vocab_size=len(alphabet), in_features=fe.in_features, hidden=8, lstm_layers=1,
                                 stem_channels=(4,), stem_strides=((2, 2),)))
    rec = Recognizer(model.eval(), alphabet, fe, device="cpu")
    rec.transcribe(tmp_path / "short.wav")
    assert opened == [str(tmp_path / "short.wav")]
    raw, windows = fe.pieces(tmp_path / "short.wav")
    assert windows is None and torch.equal(raw, fe.load(tmp_path / "short.wav"))


def test_ten_minute_file_is_read_in_bounded_memory(fe, tmp_path):
    """A 10-minute WAV is read window by window: Python-heap peak far below the decoded file (38 MB float32)."""
    minutes, path = 10, tmp_path / "long.wav"
    with sf.SoundFile(path, "w", SR, 1, subtype="PCM_16") as f:
        for second in range(60 * minutes):
            f.write(sweep(second + np.arange(SR) / SR).astype(np.float32))
    full_bytes = 60 * minutes * SR * 4
    tracemalloc.start()
    try:
        seen = []
        for w in fe.windows(path):
            seen.append((w.start, w.end, *w.own, len(w.data), w.data[::4001].clone().numpy()))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < full_bytes / 6, f"peak {peak / 1e6:.1f} MB"  # about 3 MB: two 20 s windows and one block
    _check_tiling([Piece(None, start, end, (lo, hi)) for start, end, lo, hi, _, _ in seen], 600.0)
    assert len(seen) == math.ceil((600 - 2) / 18)
    for start, end, _, _, n, sample in seen:
        assert n == round((end - start) * SR) == 20 * SR
        want = sweep((round(start * SR) + np.arange(0, n, 4001)) / SR)
        assert np.abs(sample - want).max() < 1e-4  # the right samples, in order: blocks were stitched correctly


# --- plugin registration --------------------------------------------------------------------


def test_registered_through_the_entry_point():
    eps = {ep.name: ep.value for ep in md.entry_points(group="recog")}
    assert eps["audio"] == "recog_audio.plugin"
    assert get_host().frontend("audio") is LogMelFrontend
    assert (LogMelFrontend.name, LogMelFrontend.default_model, LogMelFrontend.unit) == ("audio", "speech", "s")
    got = []
    audio_plugin.register_frontends(got.append)
    assert got == [LogMelFrontend]


# --- real recordings ------------------------------------------------------------------------


def test_reads_real_an4_flac_and_fsdd_wav(fe, shared_data):
    an4, fsdd = shared_data / "an4" / "test.jsonl", shared_data / "fsdd" / "all.jsonl"
    if not (an4.exists() and fsdd.exists()):
        pytest.skip(f"AN4 or FSDD manifests not found under {shared_data}")
    for manifest in (an4, fsdd):
        entry = json.loads(manifest.read_text().splitlines()[0])
        path = manifest.parent / entry["path"]
        native = sf.info(path)
        raw = fe.load(path)
        assert raw.shape[0] == math.ceil(native.frames * SR / native.samplerate)
        assert raw.shape[0] / SR == pytest.approx(entry["duration"], abs=0.01)
        ft = fe.featurize(raw)
        assert ft.data.shape == (1, 80, 1 + raw.shape[0] // 160) and torch.isfinite(ft.data).all()
        assert 0.01 < float(raw.abs().max()) <= 1.0  # real speech, not silence
        assert fe.windows(path) is None
