"""A ctypes binding to the libespeak-ng that the ``espeakng-loader`` wheel ships (no espeak binary, no system package).

libespeak-ng keeps all of its state in C globals, and some of it survives from one utterance to the next
(the pitch-flutter phase and gain control of the waveform generator), so the same text spoken twice by one
loaded library comes out a few samples different. To make every synthesis a pure function of
(text, voice, rate, pitch, range), each call runs in a *fresh instance* of the library:

* the wheel's ``libespeak-ng.so`` is copied once per process to a private temporary file, so the instance is
  ours alone even when another package in the process has loaded the wheel's library;
* each call ``dlopen``s that copy, initialises it in synchronous mode (``AUDIO_OUTPUT_SYNCHRONOUS``, samples
  delivered to a callback), seeds its random generator, synthesises, terminates it and ``dlclose``s it, so the
  next call starts from the library's pristine globals (about 2 ms of overhead per call);
* a process-wide lock serialises all of this, so concurrent callers are safe and get the serial result.

espeak-ng 1.52 does not free the current voice in ``espeak_Terminate``: each call leaks about 3 KB of C heap
(roughly 300 MB per 100,000 utterances). Fixed upstream after 1.52; for very large corpora run several processes.

POSIX only (``dlopen``/``dlclose``). The output is 16-bit mono PCM at :func:`sample_rate` (22050 Hz).
"""

from __future__ import annotations

import atexit
import ctypes
import ctypes.util
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass
from functools import lru_cache

import espeakng_loader
import numpy as np

from recog.errors import ConfigError, PluginError, TextError

from .text import preview

__all__ = ["VoiceInfo", "synthesize", "sample_rate", "list_voices", "list_variants", "data_path", "version"]

# speak_lib.h constants
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_DONT_EXIT = 0x8000  # return an error instead of calling exit() when the data is missing
_CHARS_UTF8 = 1
_RATE, _PITCH, _RANGE = 1, 3, 4  # espeak_PARAMETER
_EE_OK = 0
_BUFFER_MS = 500  # audio handed to the callback per call
_RAND_SEED = 1  # seed of espeak-ng's own noise generator (breathy and whispered voices)

_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)


class _Voice(ctypes.Structure):
    """``espeak_VOICE``; ``languages`` is a list of (priority byte, NUL-terminated name), ended by a 0 byte."""

    _fields_ = [
        ("name", ctypes.c_char_p),
        ("languages", ctypes.c_void_p),
        ("identifier", ctypes.c_char_p),
        ("gender", ctypes.c_ubyte),
        ("age", ctypes.c_ubyte),
        ("variant", ctypes.c_ubyte),
        ("xx1", ctypes.c_ubyte),
        ("score", ctypes.c_int),
        ("spare", ctypes.c_void_p),
    ]


@dataclass(frozen=True)
class VoiceInfo:
    """One voice of ``espeak_ListVoices``: ``languages[0]`` is the name to pass to :func:`synthesize`."""

    name: str  # e.g. "English (America)"
    languages: tuple[str, ...]  # e.g. ("en-us",)
    identifier: str  # file under espeak-ng-data/voices, e.g. "gmw/en-US"
    gender: str  # "male", "female" or "unknown"


_lock = threading.Lock()


def _reset_lock_in_child() -> None:
    global _lock
    _lock = threading.Lock()  # a fork taken while another thread held the lock must not deadlock the child


os.register_at_fork(after_in_child=_reset_lock_in_child)


def data_path() -> str:
    """The ``espeak-ng-data`` folder of the wheel (voices, dictionaries, phoneme tables)."""
    return espeakng_loader.get_data_path()


@lru_cache(maxsize=1)
def _private_copy() -> str:
    folder = tempfile.mkdtemp(prefix="recog-espeak-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    path = os.path.join(folder, "libespeak-ng-recog.so")
    shutil.copyfile(espeakng_loader.get_library_path(), path)
    return path


@lru_cache(maxsize=1)
def _libdl() -> ctypes.CDLL:
    dl = ctypes.CDLL(None)  # glibc >= 2.34 and macOS export dlopen from the process itself
    if not hasattr(dl, "dlopen"):
        name = ctypes.util.find_library("dl")
        if name is None:
            raise PluginError("recog_tts needs dlopen/dlclose (a POSIX system) to load libespeak-ng")
        dl = ctypes.CDLL(name)
    dl.dlopen.restype = ctypes.c_void_p
    dl.dlopen.argtypes = [ctypes.c_char_p, ctypes.c_int]
    dl.dlclose.argtypes = [ctypes.c_void_p]
    dl.dlerror.restype = ctypes.c_char_p
    return dl


def _bind(lib: ctypes.CDLL) -> None:
    lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
    lib.espeak_SetSynthCallback.argtypes = [_CALLBACK]
    lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
    lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
    lib.espeak_ng_SetRandSeed.argtypes = [ctypes.c_long]
    lib.espeak_Synth.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int, ctypes.c_uint,
                                 ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p]
    lib.espeak_ListVoices.argtypes = [ctypes.POINTER(_Voice)]
    lib.espeak_ListVoices.restype = ctypes.POINTER(ctypes.POINTER(_Voice))
    lib.espeak_Info.argtypes = [ctypes.c_void_p]
    lib.espeak_Info.restype = ctypes.c_char_p


class _Instance:
    """A freshly loaded and initialised libespeak-ng; use under ``_lock`` as a context manager."""

    def __enter__(self) -> _Instance:
        dl = _libdl()
        path = _private_copy()
        self.handle = dl.dlopen(path.encode(), os.RTLD_NOW | os.RTLD_LOCAL)
        if not self.handle:
            raise PluginError(f"cannot load libespeak-ng from {path}: {(dl.dlerror() or b'').decode()}")
        self.lib = ctypes.CDLL(path, handle=self.handle)
        _bind(self.lib)
        self.sample_rate = self.lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, _BUFFER_MS, data_path().encode(),
                                                      _INITIALIZE_DONT_EXIT)
        if self.sample_rate <= 0:
            self._close()
            raise PluginError(f"espeak_Initialize failed (status {self.sample_rate}) with data at {data_path()}")
        return self

    def __exit__(self, *exc: object) -> None:
        self.lib.espeak_Terminate()
        self._close()

    def _close(self) -> None:
        del self.lib
        _libdl().dlclose(self.handle)


def _voice_name(voice: str) -> str:
    """``LANGUAGE[+VARIANT]`` as a voice file name for SetVoiceByName: the language's voice is the one that
    lists it first (else any that lists it), named by its file (``en-gb`` -> ``en``, the Great Britain voice)."""
    language, plus, variant = voice.partition("+")
    voices = list_voices()
    lang = language.lower()
    match = ([v for v in voices if v.languages[:1] and v.languages[0].lower() == lang]
             or [v for v in voices if lang in (x.lower() for x in v.languages)])
    if not match:
        return voice
    return match[0].identifier.rsplit("/", 1)[-1] + plus + variant


def synthesize(text: str, voice: str = "en-us", *, rate: int = 175, pitch: int = 50, pitch_range: int = 50,
               max_samples: int | None = None) -> np.ndarray:
    """Speak ``text`` with an espeak-ng voice; returns (N,) int16 samples at :func:`sample_rate`.

    Args:
        text: UTF-8 text, read as plain text (no SSML, no embedded commands). Clean it first
            (:func:`recog_tts.text.prepare_text`): this function does not check it.
        voice: ``LANGUAGE`` or ``LANGUAGE+VARIANT`` (e.g. ``"en-us+f3"``). An unknown language raises
            :class:`ConfigError`; note that espeak-ng silently ignores an unknown variant.
        rate: words per minute (80..450); pitch: 0..100; pitch_range: 0..100 (espeak-ng's scales).
        max_samples: stop and raise :class:`TextError` once the speech grows beyond this many samples.
    """
    chunks: list[bytes] = []
    total = 0

    @_CALLBACK
    def collect(wav, n, events):  # called by espeak_Synth on this thread, with the lock held
        nonlocal total
        if n > 0 and wav:
            chunks.append(ctypes.string_at(wav, 2 * n))
            total += n
        return 1 if max_samples is not None and total > max_samples else 0  # 1 aborts synthesis

    data = text.encode("utf-8", errors="replace") + b"\0"
    with _lock, _Instance() as inst:
        lib = inst.lib
        lib.espeak_SetSynthCallback(collect)
        if (lib.espeak_SetVoiceByName(voice.encode("utf-8")) != _EE_OK
                and lib.espeak_SetVoiceByName(_voice_name(voice).encode("utf-8")) != _EE_OK):
            raise ConfigError(f"espeak-ng has no voice {voice!r} (see recog_tts.espeak.list_voices())")
        for param, value in ((_RATE, rate), (_PITCH, pitch), (_RANGE, pitch_range)):
            lib.espeak_SetParameter(param, int(value), 0)
        lib.espeak_ng_SetRandSeed(_RAND_SEED)
        status = lib.espeak_Synth(data, len(data), 0, 0, 0, _CHARS_UTF8, None, None)
    if max_samples is not None and total > max_samples:
        raise TextError(preview(text), f"speech is longer than the limit of {max_samples} samples")
    if status != _EE_OK:
        raise PluginError(f"espeak_Synth failed with status {status} for {preview(text)}")
    return np.frombuffer(b"".join(chunks), dtype=np.int16).copy()  # (N,)


@lru_cache(maxsize=1)
def sample_rate() -> int:
    """The output rate of libespeak-ng, as ``espeak_Initialize`` reports it (22050 Hz)."""
    with _lock, _Instance() as inst:
        return int(inst.sample_rate)


@lru_cache(maxsize=1)
def version() -> str:
    """The libespeak-ng version string, e.g. ``"1.52.0"``."""
    with _lock, _Instance() as inst:
        return inst.lib.espeak_Info(None).decode()


def _list(language: bytes | None) -> list[VoiceInfo]:
    buf = ctypes.create_string_buffer(language) if language is not None else None
    spec = _Voice(languages=ctypes.addressof(buf)) if buf is not None else None
    with _lock, _Instance() as inst:
        arr = inst.lib.espeak_ListVoices(ctypes.byref(spec) if spec is not None else None)
        out, i = [], 0
        while arr[i]:
            v = arr[i].contents
            out.append(VoiceInfo(v.name.decode(), _languages(v.languages), v.identifier.decode(),
                                 {1: "male", 2: "female"}.get(v.gender, "unknown")))
            i += 1
    return out


def _languages(ptr: int | None) -> tuple[str, ...]:
    out: list[str] = []
    while ptr and ctypes.string_at(ptr, 1) != b"\0":  # priority byte, then the name
        name = ctypes.string_at(ptr + 1)
        out.append(name.decode())
        ptr += len(name) + 2
    return tuple(out)


@lru_cache(maxsize=1)
def list_voices() -> tuple[VoiceInfo, ...]:
    """The language voices the wheel ships (``espeak_ListVoices``), sorted by first language."""
    return tuple(sorted(_list(None), key=lambda v: v.languages[:1]))


@lru_cache(maxsize=1)
def list_variants() -> tuple[str, ...]:
    """Names of the voice variants under ``espeak-ng-data/voices/!v`` (``"m3"``, ``"f2"``, ``"klatt"`` ...), sorted."""
    found = _list(b"variant")
    return tuple(sorted(v.identifier.removeprefix("!v/") for v in found))
