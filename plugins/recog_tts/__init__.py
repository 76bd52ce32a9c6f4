"""Built-in recog plugin: text to speech with espeak-ng (in-process, through ctypes).

Quick use::

    from recog_tts import SpeechSynthesizer, VoiceSpec, sample_voices
    result = SpeechSynthesizer(sample_rate=16000).synthesize("THREE FIVE TWO", VoiceSpec("en-us", "f3"))
    result.audio, result.sample_rate      # (N,) float32, 16000
    voices = sample_voices(8, seed=0)     # deterministic random voices for data generation

It registers the ``tts`` frontend (text → speech → the audio frontend's features) and the
``recog synth`` command (one WAV, or a corpus with a JSONL manifest).
"""


from recog.lazy import lazy_exports

_LAZY = {
    "SpeechSynthesizer": "synth", "SynthResult": "synth", "MAX_SECONDS": "synth", "VoiceSpec": "voices",
    "sample_voices": "voices", "split_variants": "voices", "default_variants": "voices", "DEFAULT_LANGUAGES": "voices",
    "prepare_text": "text", "MAX_TEXT_CHARS": "text", "SpokenText": "frontend", "SpeechFromTextConfig": "frontend",
    "SpeechFromTextFrontend": "frontend", "generate_corpus": "corpus", "read_sentences": "corpus",
    "write_wav": "corpus", "CorpusReport": "corpus",
}
__all__ = list(_LAZY)


__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
