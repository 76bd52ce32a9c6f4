"""``recog synth``: speak one text to a WAV file, or a file of sentences to a corpus (thin layer over the library).

    recog synth "THREE FIVE TWO" -o out.wav [--voice en-us+f3] [--rate R] [--pitch P] [--pitch-range G]
    recog synth --from sentences.txt --out DIR --voices N [--seed S] [--limit K] [--split train|test|all]

Also runs as ``python -m recog_tts ...`` with the same arguments.
"""

from __future__ import annotations

import argparse
import json
import sys

from recog.errors import ConfigError
from recog.progress import ProgressBar

from .engines import engine_problems
from .voices import DEFAULT_LANGUAGES, VoiceSpec, default_variants, engine_voice_names, sample_voices, split_variants

__all__ = ["HELP", "configure", "run"]

HELP = "synthesise speech (espeak-ng, flite, festival, Pico): one text to a WAV file, or sentences to a corpus"
_SINGLE_ONLY = ("voice", "rate", "pitch", "pitch_range")


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the ``synth`` arguments to ``parser``."""
    parser.add_argument("text", nargs="?", help="text to speak (single mode)")
    parser.add_argument("-o", "--out", required=True, help="WAV file (single mode) or folder (with --from)")
    parser.add_argument("--sample-rate", type=int, default=16000,
                        help="output rate in Hz; 0: espeak-ng's native 22050 (default 16000)")
    single = parser.add_argument_group("single mode")
    single.add_argument("--voice", help="espeak-ng voice LANGUAGE[+VARIANT], e.g. en-us+f3 (default en-us), or "
                        "ENGINE:VOICE of another engine, e.g. flite:slt, festival:kal_diphone, pico:en-GB")
    single.add_argument("--rate", type=int, help="words per minute, 80..450 (default 175)")
    single.add_argument("--pitch", type=int, help="0..100 (default 50)")
    single.add_argument("--pitch-range", type=int, help="0..100 (default 50)")
    corpus = parser.add_argument_group("corpus mode")
    corpus.add_argument("--from", dest="from_file", metavar="FILE", help="UTF-8 file, one sentence per line")
    corpus.add_argument("--voices", type=int, default=4, help="number of sampled voices (default 4)")
    corpus.add_argument("--seed", type=int, default=0, help="seed of the voice sampler (default 0)")
    corpus.add_argument("--limit", type=int, help="speak only the first K sentences")
    corpus.add_argument("--languages", default=",".join(DEFAULT_LANGUAGES), help="comma-separated languages to sample")
    corpus.add_argument("--engines", default="espeak",
                        help="comma-separated engines to share the voices among: espeak, flite, festival, pico "
                             "(missing ones are skipped with a note; default espeak)")
    corpus.add_argument("--split", choices=("all", "train", "test"), default="all",
                        help="sample variants from all, the training side or the held-out side of the split")
    corpus.add_argument("--held-out-fraction", type=float, default=0.2, help="share of variants held out (default 0.2)")
    corpus.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    """Execute ``recog synth``; raises :class:`recog.RecogError` on bad input. Returns the exit status."""
    from .corpus import generate_corpus, read_sentences, write_wav
    from .synth import SpeechSynthesizer

    rate = args.sample_rate or None
    if (args.text is None) == (args.from_file is None):
        raise ConfigError("recog synth needs either TEXT or --from FILE (not both)")
    if args.text is not None:
        prosody = {k: getattr(args, k) for k in _SINGLE_ONLY[1:] if getattr(args, k) is not None}
        voice = VoiceSpec.parse(args.voice or "en-us", **prosody)
        result = SpeechSynthesizer(sample_rate=rate).synthesize(args.text, voice)
        write_wav(args.out, result.audio, result.sample_rate)
        # one manifest line (recog.data format), so single-mode runs can be collected into a manifest
        print(json.dumps({"path": args.out, "text": result.text, "speaker": f"tts:{voice.id}",
                          "duration": round(result.duration, 3), "sample_rate": result.sample_rate},
                         ensure_ascii=False))
        return 0
    given = [f"--{k.replace('_', '-')}" for k in _SINGLE_ONLY if getattr(args, k) is not None]
    if given:
        raise ConfigError(f"{', '.join(given)} are for single mode; corpus voices are sampled (--voices, --seed)")
    if args.limit is not None and args.limit < 1:
        raise ConfigError(f"--limit must be >= 1, got {args.limit}")
    if args.voices < 1:
        raise ConfigError(f"--voices must be >= 1, got {args.voices}")
    sentences = read_sentences(args.from_file, args.limit)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    for engine, problem in engine_problems().items():
        if engine in engines and problem:
            print(f"recog synth: engine {engine} skipped: {problem}", file=sys.stderr)
    names = [*default_variants(), *engine_voice_names(engines)]
    train, held_out = split_variants(names, held_out_fraction=args.held_out_fraction)
    pool = {"all": [None, *names], "train": [None, *train], "test": held_out}[args.split]
    languages = [s.strip() for s in args.languages.split(",") if s.strip()]
    for lang in languages:
        VoiceSpec(lang).check()
    voices = sample_voices(args.voices, args.seed, languages, variants=pool, engines=engines)
    bar = None if args.quiet else ProgressBar("synth")
    report = generate_corpus(sentences, args.out, voices, sample_rate=rate, progress=bar)
    for index, reason in report.skipped:
        print(f"recog synth: skipped sentence {index + 1}: {reason}", file=sys.stderr)
    print(json.dumps({"manifest": str(report.manifest), "utterances": report.written, "voices": len(voices),
                      "seconds": round(report.seconds, 1), "skipped": len(report.skipped)}))
    return 0
