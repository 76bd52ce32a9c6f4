"""Tests of recog.runtime: the torch-free ONNX recogniser against the PyTorch recogniser.

Models are built with random weights and an output layer scaled x30 (decisive argmax), exported,
and run through both paths on generated inputs (seeded tones and noise, drawn strokes). Transcripts
must be equal: text, token timings and extent exactly, confidences within 1e-4.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch
from PIL import Image, ImageDraw

from recog import Alphabet, BundleError, EmptyInputError, InputNotFoundError, ModelMismatchError, RecogError
from recog.bundle import Bundle
from recog.export import export_bundle, export_encoder_onnx
from recog.metrics import error_counts
from recog.model import CTCModel, ModelConfig
from recog.plugins import get_host
from recog.recognizer import Recognizer
from recog.runtime import OnnxRecognizer, Piece, default_providers
from recog_audio.io import resample
from recog_audio.windows import plan_windows

TINY = dict(hidden=24, lstm_layers=2, stem_channels=(8,), stem_strides=((2, 2),), dropout=0.0)


def built_bundle(frontend: str, config: dict, in_features: int, chars: str, seed: int = 0) -> Bundle:
    """A bundle with random weights whose output layer is scaled x30 (decisive argmax)."""
    torch.manual_seed(seed)
    alphabet = Alphabet(chars)
    cfg = ModelConfig(vocab_size=len(alphabet), in_features=in_features, **TINY)
    net = CTCModel(cfg).eval()
    with torch.no_grad():
        net.output.weight.mul_(30.0)
    return Bundle(cfg, alphabet, frontend, config, net.state_dict(), name=f"tiny-{frontend}")


def assert_same_transcripts(ours, theirs) -> None:
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert a.text == b.text and a.source == b.source and a.model == b.model and a.unit == b.unit
        assert [t.text for t in a.tokens] == [t.text for t in b.tokens]
        assert [x for t in a.tokens for x in (t.start, t.end)] == pytest.approx(
            [x for t in b.tokens for x in (t.start, t.end)], abs=1e-9
        )
        assert a.extent == pytest.approx(b.extent, abs=1e-9)
        assert a.confidence == pytest.approx(b.confidence, abs=1e-4)
        assert [t.confidence for t in a.tokens] == pytest.approx([t.confidence for t in b.tokens], abs=1e-4)


def needs(frontend: str) -> None:
    if frontend not in get_host().frontends():
        pytest.skip(f"the {frontend!r} frontend is not registered (its plugin is not installed)")


# --- the toy frontend, with a torch-free reader passed in --------------------------------------------


class ToyReader:
    """Reads ``TOY:`` strings as tests/toyplugin.py's frontend does, in NumPy."""

    kinds = ("features",)

    def pieces(self, source, kind):
        from toyplugin import TOY_CHARS

        text = source[4:]
        if not text:
            raise EmptyInputError(source, "no characters")
        x = np.zeros((1, 8, 4 * len(text)), dtype=np.float32)  # (C, F, T)
        for i, c in enumerate(text):
            x[0, TOY_CHARS.index(c), 4 * i : 4 * i + 3] = 1.0
        return [Piece(x, frame_step=0.01)]


@pytest.fixture(scope="module")
def toy(tmp_path_factory):
    from toyplugin import ToyPlugin

    host = get_host()
    host.register(ToyPlugin(), name="toy-runtime-test")
    bundle = built_bundle("toy", {"rows": 8, "frames_per_char": 3}, 8, "abcd ")
    folder = tmp_path_factory.mktemp("toy")
    path = export_bundle(bundle, folder / "toy.onnx")
    yield bundle, path
    host.unregister("toy-runtime-test")


TOY_INPUTS = ["TOY:ab dc", "TOY:a", "TOY:dddd cab ba", "TOY:c d", "TOY:abcdabcd abcd"]


def test_toy_transcripts_equal_the_pytorch_path(toy):
    bundle, path = toy
    rec = OnnxRecognizer(path, reader=ToyReader())
    ref = Recognizer.from_bundle(bundle, device="cpu").transcribe_batch(TOY_INPUTS, batch_size=2)
    out = rec.transcribe_batch(TOY_INPUTS, batch_size=3)
    assert any(t.text for t in ref)  # the built model does emit characters
    assert_same_transcripts(out, ref)
    assert rec.transcribe(TOY_INPUTS[0]) == out[0]


def test_int8_export_loads_and_decodes_close_to_fp32(toy, tmp_path):
    bundle, path = toy
    int8 = OnnxRecognizer(export_bundle(bundle, tmp_path / "toy-int8.onnx", int8=True), reader=ToyReader())
    assert int8.info.int8 is True
    fp32 = OnnxRecognizer(path, reader=ToyReader()).transcribe_batch(TOY_INPUTS)
    out = int8.transcribe_batch(TOY_INPUTS)
    assert all(t.model == "tiny-toy" and 0 < t.confidence <= 1 for t in out)
    assert error_counts([t.text for t in fp32], [t.text for t in out]).cer < 0.2


def test_given_the_same_features_log_probs_are_within_1e4(toy):
    bundle, path = toy
    rec = OnnxRecognizer(path, reader=ToyReader())
    model = bundle.build_model()
    x = np.random.default_rng(0).random((3, 1, 8, 44), dtype=np.float32)  # (B, C, F, T)
    lengths = np.array([44, 30, 9])
    log_probs, out_lengths, frame_lengths = rec.run(x, lengths)
    with torch.no_grad():
        ref, ref_len = model(torch.from_numpy(x), torch.from_numpy(lengths))
    assert frame_lengths is None and np.array_equal(out_lengths, ref_len.numpy())
    for i, n in enumerate(out_lengths):
        assert np.abs(log_probs[i, :n] - ref[i, :n].numpy()).max() < 1e-4


def test_input_errors_are_raised_or_returned_in_place(toy):
    _, path = toy
    rec = OnnxRecognizer(path, reader=ToyReader())
    with pytest.raises(EmptyInputError):
        rec.transcribe("TOY:")
    out = rec.transcribe_batch(["TOY:ab", "TOY:", "TOY:c"], errors="return")
    assert isinstance(out[1], EmptyInputError) and out[0].text is not None and out[2].source == "TOY:c"


def test_an_export_without_a_reader_for_its_frontend_says_what_to_do(toy):
    _, path = toy
    with pytest.raises(ModelMismatchError, match="no reader for the 'toy' frontend; install the plugin that reads it, or pass reader="):
        OnnxRecognizer(path).transcribe("TOY:ab")


def test_a_plugin_registers_the_reader_of_its_exports(toy):
    from recog import hookimpl

    class ToyReaders:
        @hookimpl
        def register_readers(self, register):
            register("toy", lambda info: ToyReader())
            register("audio", lambda info: ToyReader())  # taken: the audio plugin registered first

    _, path = toy
    host = get_host()
    host.register(ToyReaders(), name="toy-readers")
    try:
        assert OnnxRecognizer(path).transcribe("TOY:ab").text is not None
        assert host.readers()["audio"].__qualname__ == "register_readers.<locals>.audio_reader"
        info = {i.name: i for i in host.info()}["toy-readers"]
        assert any("reader 'audio' already registered by 'audio'" in e for e in info.errors)
    finally:
        host.unregister("toy-readers")


def test_missing_foreign_and_metadata_less_files_are_bundle_errors(tmp_path):
    with pytest.raises(BundleError, match="nope.onnx"):
        OnnxRecognizer(tmp_path / "nope.onnx")
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"\x00not onnx")
    with pytest.raises(BundleError, match="junk.onnx: ONNX Runtime cannot load it"):
        OnnxRecognizer(junk)
    bare = export_encoder_onnx(CTCModel(ModelConfig(vocab_size=3, in_features=8, **TINY)), tmp_path / "bare.onnx")
    with pytest.raises(BundleError, match="not a recog ONNX export"):
        OnnxRecognizer(bare)


def test_providers_default_to_cpu_without_a_gpu_and_can_be_chosen(toy):
    _, path = toy
    chosen = default_providers()
    assert chosen[-1] == "CPUExecutionProvider"
    from recog.runtime import gpu_available

    if not gpu_available():
        assert chosen == ["CPUExecutionProvider"]
    rec = OnnxRecognizer(path, providers=["CPUExecutionProvider"], threads=1, reader=ToyReader())
    assert rec.providers == ["CPUExecutionProvider"]


# --- audio: raw waveforms in, log-mel inside the graph ----------------------------------------------------


def _tones(rate: int, seconds: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(int(rate * seconds)) / rate
    f = rng.uniform(200, 0.4 * min(rate, 16000), size=4)
    x = sum(0.2 * np.sin(2 * np.pi * fi * t) * (np.sin(2 * np.pi * (0.7 + i) * t) > 0) for i, fi in enumerate(f))
    return (x + 0.02 * rng.standard_normal(t.shape)).astype(np.float32)


@pytest.fixture(scope="module")
def speech(tmp_path_factory):
    needs("audio")
    frontend_cls = get_host().frontend("audio")
    config = {**frontend_cls().config_dict(), "window_s": 2.0, "overlap_s": 0.5}  # short windows: test stitching
    bundle = built_bundle("audio", config, frontend_cls().in_features, "abcdefgh '")
    folder = tmp_path_factory.mktemp("speech")
    return bundle, export_bundle(bundle, folder / "speech.onnx"), folder


def test_audio_transcripts_equal_the_pytorch_path(speech):
    bundle, path, folder = speech
    sources = []
    for i, (rate, seconds, channels) in enumerate([(16000, 1.2, 1), (8000, 1.7, 2), (44100, 0.6, 1), (16000, 4.3, 1)]):
        x = _tones(rate, seconds, seed=i)
        f = folder / f"in{i}.wav"
        sf.write(f, np.stack([x, 0.5 * x], axis=1) if channels == 2 else x, rate, subtype="PCM_16")
        sources.append(str(f))
    sources += [_tones(16000, 0.9, seed=9), (_tones(22050, 2.6, seed=10), 22050), f.read_bytes()]
    ref = Recognizer.from_bundle(bundle, device="cpu").transcribe_batch(sources)
    out = OnnxRecognizer(path).transcribe_batch(sources, batch_size=4)
    assert sum(len(t.text) for t in ref) > 20
    assert ref[3].extent == pytest.approx(4.3) and ref[-2].extent == pytest.approx(2.6)  # windowed: owned spans tile the input
    assert_same_transcripts(out, ref)


def test_tensorrt_profile_spans_batch_16_and_a_whole_window(speech, tmp_path):
    from recog.runtime import tensorrt_options

    _, path, _ = speech
    opts = tensorrt_options(OnnxRecognizer(path, providers=["CPUExecutionProvider"]).info, tmp_path / "trt")
    assert opts["trt_engine_cache_enable"] and (tmp_path / "trt").is_dir()
    assert opts["trt_profile_min_shapes"] == "raw:1x1,lengths:1"
    assert opts["trt_profile_max_shapes"] == f"raw:16x{16000 * 2 + 1},lengths:16"  # window_s = 2 s at 16 kHz
    # an export whose frontend declared no limit for its input kind: the engine cache, no profile
    info = OnnxRecognizer(path, providers=["CPUExecutionProvider"]).info
    unlimited = replace(info, metadata={**info.metadata, "input_limits": {"raw": None, "features": None}})
    assert tensorrt_options(unlimited, tmp_path / "trt") == {"trt_engine_cache_enable": True,
                                                            "trt_engine_cache_path": str(tmp_path / "trt")}


def test_audio_reader_errors_name_the_input(speech, tmp_path):
    _, path, _ = speech
    rec = OnnxRecognizer(path)
    with pytest.raises(InputNotFoundError, match="missing.wav"):
        rec.transcribe(str(tmp_path / "missing.wav"))
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    with pytest.raises(EmptyInputError, match="empty.wav"):
        rec.transcribe(str(empty))


def test_runtime_and_pytorch_refuse_the_same_damaged_audio(speech, tmp_path):
    """One reader: a truncated WAV or MP3 is refused by both paths (the runtime used to read half a WAV)."""
    from recog import CorruptInputError

    bundle, path, _ = speech
    wav, mp3 = tmp_path / "cut.wav", tmp_path / "cut.mp3"
    sf.write(wav, _tones(16000, 1.0, seed=2), 16000, subtype="PCM_16")
    wav.write_bytes(wav.read_bytes()[: 44 + 16000])  # half the samples the header declares
    sf.write(mp3, _tones(16000, 25.0, seed=3), 16000, format="MP3", subtype="MPEG_LAYER_III")
    mp3.write_bytes(mp3.read_bytes()[: mp3.stat().st_size // 2])
    rec, ref = OnnxRecognizer(path), Recognizer.from_bundle(bundle, device="cpu")
    for bad, why in ((wav, "truncated WAV"), (mp3, "truncated or damaged MP3")):
        with pytest.raises(CorruptInputError, match=f"{bad.name}.*{why}"):
            rec.transcribe(str(bad))
        with pytest.raises(CorruptInputError, match=f"{bad.name}.*{why}"):
            ref.transcribe(str(bad))


def test_a_long_file_is_transcribed_window_by_window_in_bounded_memory(speech, tmp_path):
    """The runtime decodes a long file as it goes (it used to hold the whole file, then every window of it)."""
    import tracemalloc

    bundle, path, _ = speech  # 2 s windows
    long = tmp_path / "long.wav"
    with sf.SoundFile(long, "w", 16000, 1, subtype="PCM_16") as f:
        for second in range(300):
            f.write(_tones(16000, 1.0, seed=second % 7))
    full_bytes = 300 * 16000 * 4  # the decoded file, float32
    rec = OnnxRecognizer(path)
    tracemalloc.start()
    try:
        out = rec.transcribe_batch([str(long)], batch_size=4)[0]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < full_bytes / 6, f"peak {peak / 1e6:.1f} MB"
    assert out.extent == pytest.approx(300.0) and len(out.text) > 100
    ref = Recognizer.from_bundle(bundle, device="cpu").transcribe(str(long))
    assert_same_transcripts([out], [ref])


def test_audio_export_without_features_in_graph_is_refused_by_the_runtime(speech, tmp_path):
    bundle, _, _ = speech
    path = export_bundle(bundle, tmp_path / "features.onnx", features_in_graph=False)
    with pytest.raises(ModelMismatchError, match="features in the graph"):
        OnnxRecognizer(path).transcribe(_tones(16000, 0.5, seed=1))


def test_resampling_matches_torchaudio():
    import torchaudio.functional as AF

    x = _tones(44100, 0.5, seed=3)
    for orig, new in ((44100, 16000), (8000, 16000), (48000, 16000), (16000, 16000)):
        y = resample(x, orig, new)
        ref = AF.resample(torch.from_numpy(x), orig, new).numpy()
        assert y.shape == ref.shape and np.abs(y - ref).max() < 1e-4


def test_window_plan_tiles_the_input():
    plan = plan_windows(100, 40, 10)
    assert [s for s, *_ in plan] == [0, 30, 60]
    assert plan[0][2] == 0 and plan[-1][3] == 100
    assert all(a[3] == b[2] for a, b in zip(plan, plan[1:]))
    assert plan_windows(40, 40, 10) is None


# --- images: features computed in NumPy/Pillow ---------------------------------------------------------


def _line(seed: int, size: tuple[int, int], *, dark_on_light: bool = True, mode: str = "L") -> Image.Image:
    rng = np.random.default_rng(seed)
    w, h = size
    bg, ink = (235, 30) if dark_on_light else (20, 220)
    im = Image.new("L", size, bg)
    d = ImageDraw.Draw(im)
    x = int(0.1 * w)
    while x < 0.85 * w:
        y0, y1 = rng.integers(int(0.2 * h), int(0.45 * h)), rng.integers(int(0.55 * h), int(0.8 * h))
        dx = int(rng.integers(3, max(4, w // 25)))
        d.line([(x, y0), (x + dx, y1), (x + 2 * dx, y0)], fill=ink, width=max(1, h // 20))
        x += 2 * dx + int(rng.integers(2, 12))
    return im.convert(mode)


@pytest.fixture(scope="module")
def handwriting(tmp_path_factory):
    needs("image")
    frontend = get_host().frontend("image")()
    bundle = built_bundle("image", frontend.config_dict(), frontend.in_features, "abcdefgh -")
    folder = tmp_path_factory.mktemp("image")
    return bundle, export_bundle(bundle, folder / "handwriting.onnx"), folder


def test_image_features_and_transcripts_equal_the_pytorch_path(handwriting):
    bundle, path, folder = handwriting
    _line(0, (420, 64)).save(folder / "a.png")
    _line(1, (300, 90), dark_on_light=False).save(folder / "b.jpg", quality=95)
    _line(2, (180, 30), mode="RGB").save(folder / "c.bmp")
    sources = [str(folder / n) for n in ("a.png", "b.jpg", "c.bmp")]
    sources += [np.asarray(_line(3, (500, 48))), _line(4, (160, 100), mode="RGBA"), (folder / "a.png").read_bytes()]
    rec = OnnxRecognizer(path)
    frontend = Recognizer.from_bundle(bundle, device="cpu").frontend
    for src in sources:
        ft = frontend.features(src)
        (piece,) = rec.reader.pieces(src, "features")
        assert piece.data.shape == tuple(ft.data.shape) and np.abs(piece.data - ft.data.numpy()).max() < 1e-4
        assert piece.frame_step == pytest.approx(ft.frame_step, abs=1e-12) and piece.start == ft.offset
    ref = Recognizer.from_bundle(bundle, device="cpu").transcribe_batch(sources)
    assert sum(len(t.text) for t in ref) > 10
    assert_same_transcripts(rec.transcribe_batch(sources), ref)


# --- no torch in a deployment -----------------------------------------------------------------------------


def test_runtime_inference_never_imports_torch(speech, handwriting, tmp_path):
    _, speech_onnx, _ = speech
    _, image_onnx, _ = handwriting
    wav, png = tmp_path / "x.wav", tmp_path / "x.png"
    sf.write(wav, _tones(8000, 1.0, seed=5), 8000)
    _line(5, (300, 60)).save(png)
    script = textwrap.dedent(
        f"""
        import json, sys
        from recog.runtime import OnnxRecognizer
        a = OnnxRecognizer({str(speech_onnx)!r}).transcribe({str(wav)!r})
        b = OnnxRecognizer({str(image_onnx)!r}).transcribe({str(png)!r})
        c = OnnxRecognizer({str(image_onnx)!r}, decoder="beam").transcribe({str(png)!r})
        print(json.dumps({{"torch": "torch" in sys.modules, "texts": [a.text, b.text, c.text], "units": [a.unit, b.unit]}}))
        """
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["torch"] is False and result["units"] == ["s", "px"]
    assert result["texts"][2]  # the beam decoder ran torch-free too (its parity is tested below)


def test_runtime_beam_decoder_matches_the_pytorch_beam_decoder(handwriting, tmp_path):
    from recog.lm import CharNgramLM

    bundle, image_onnx, folder = handwriting
    lm = CharNgramLM.train(["hello world", "a b c", "line"] * 3, order=3, vocab=bundle.alphabet.chars)
    lm_path = lm.save(tmp_path / "hw.lm.json.gz")
    opts = {"lm": str(lm_path), "lm_weight": 0.3, "beam": 6}
    sources = [_line(s, (220 + 40 * s, 48)) for s in range(4)]
    onnx_beam = OnnxRecognizer(image_onnx, decoder="beam", decoder_options=opts).transcribe_batch(sources)
    torch_beam = Recognizer.from_bundle(bundle, device="cpu", decoder="beam", decoder_options=opts).transcribe_batch(sources)
    assert_same_transcripts(onnx_beam, torch_beam)
    with pytest.raises(RecogError, match="need a beam decoder"):
        OnnxRecognizer(image_onnx, decoder="greedy", decoder_options={"beam": 4})
    # auto with beam options is a beam search (the one rule of recog.decoders, shared with recog.load)
    assert type(OnnxRecognizer(image_onnx, decoder_options={"beam": 4})._decoder).__name__ == "BeamCTCDecoder"
    with pytest.raises(RecogError, match="no decoder named 'viterbi'"):
        OnnxRecognizer(image_onnx, decoder="viterbi")


def test_runtime_reports_progress_in_pieces(toy):
    seen = []
    out = OnnxRecognizer(toy[1], reader=ToyReader()).transcribe_batch(TOY_INPUTS, batch_size=2,
                                                                        progress=lambda d, t, i: seen.append((d, t)))
    assert len(out) == len(TOY_INPUTS) and seen[-1][0] == seen[-1][1] and [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_runtime_threads_default_to_one_or_omp_num_threads(toy, monkeypatch):
    from recog.runtime.session import default_threads

    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    assert default_threads() == 1
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    assert default_threads() == 3
    monkeypatch.setenv("OMP_NUM_THREADS", "lots")
    assert default_threads() == 1
    assert OnnxRecognizer(toy[1], reader=ToyReader(), threads=2).transcribe("TOY:ab").text is not None


def test_session_options_one_thread_and_no_arena(monkeypatch):
    """One intra-op thread by default (issue 17's thread policy) and no CPU arena, which kept the largest
    pass's buffers for the session's life (bench/pass_memory.py: 9.5 -> 5.6 MB for a 20 s window, same speed)."""
    from recog.runtime.session import default_session_options

    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    opts = default_session_options()
    assert opts.intra_op_num_threads == 1 and opts.inter_op_num_threads == 1
    assert opts.enable_cpu_mem_arena is False
    assert default_session_options(3).intra_op_num_threads == 3
