"""Built-in recog plugin: text to speech with espeak-ng (in-process, through ctypes).

Quick use::

    from recog_tts import SpeechSynthesizer, VoiceSpec, sample_voices
    result = SpeechSynthesizer(sample_rate=16000).synthesize("THREE FIVE TWO", VoiceSpec("en-us", "f3"))
    result.audio, result.sample_rate      # (N,) float32, 16000
    voices = sample_voices(8, seed=0)     # deterministic random voices for data generation

It registers the ``tts`` frontend (text → speech → the audio frontend's features) and the
``recog synth`` command (one WAV, or a corpus with a JSONL manifest).
"""

from .corpus import CorpusReport, generate_corpus, read_sentences, write_wav
from .frontend import SpeechFromTextConfig, SpeechFromTextFrontend, SpokenText
from .synth import MAX_SECONDS, SpeechSynthesizer, SynthResult
from .text import MAX_TEXT_CHARS, prepare_text
from .voices import DEFAULT_LANGUAGES, VoiceSpec, default_variants, sample_voices, split_variants

__all__ = [
    "SpeechSynthesizer",
    "SynthResult",
    "VoiceSpec",
    "sample_voices",
    "split_variants",
    "default_variants",
    "DEFAULT_LANGUAGES",
    "prepare_text",
    "MAX_TEXT_CHARS",
    "MAX_SECONDS",
    "SpokenText",
    "SpeechFromTextConfig",
    "SpeechFromTextFrontend",
    "generate_corpus",
    "read_sentences",
    "write_wav",
    "CorpusReport",
]
