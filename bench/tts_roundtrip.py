"""Round trip: AN4-style prompts -> eSpeak NG speech with voices held out of training -> the speech model -> CER.

    python bench/tts_roundtrip.py [--model speech] [--n 200] [--voices 12]

Prompts come from bench/an4_prompts.py with seed 99 (training prompts use seed 0 plus AN4 *train* transcripts);
voices are drawn from the variants that recog_tts.split_variants holds out of training.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from an4_prompts import prompt  # noqa: E402  (a sibling script, not a package)

import recog  # noqa: E402
from recog_tts import SpeechSynthesizer, sample_voices, split_variants  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="speech")
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--voices", type=int, default=12)
    ap.add_argument("--seed", type=int, default=99)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    prompts = [prompt(rng) for _ in range(a.n)]
    _, held_out = split_variants()
    voices = sample_voices(a.voices, seed=a.seed, variants=held_out)
    synth = SpeechSynthesizer(sample_rate=16000)
    rec = recog.load(a.model, decoder="greedy")
    audio = []
    for i, text in enumerate(prompts):
        r = synth.synthesize(text, voices[i % len(voices)])
        audio.append((r.audio, r.sample_rate))
    hyps = [t.text for t in rec.transcribe_batch(audio)]
    refs = [rec.alphabet.normalize(p) for p in prompts]
    from recog.metrics import error_counts

    counts = error_counts(refs, hyps)
    print(f"held-out voices: {', '.join(v.name for v in voices)}")
    print(f"round trip, {a.n} AN4-style prompts: CER {counts.cer:.2%}  WER {counts.wer:.2%}  (greedy)")
    if recog.model_lm_path(recog.resolve_model(a.model)).is_file():
        beam = recog.load(a.model, decoder="beam")
        c = error_counts(refs, [t.text for t in beam.transcribe_batch(audio)])
        print(f"round trip, {a.n} AN4-style prompts: CER {c.cer:.2%}  WER {c.wer:.2%}  (beam search + character LM)")
    bad = [(r, h) for r, h in zip(refs, hyps) if r != h][:5]
    for r, h in bad:
        print(f"  REF {r}\n  HYP {h}")


if __name__ == "__main__":
    main()
