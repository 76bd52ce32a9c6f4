"""Peak memory of transcribing long audio: the PyTorch path, the int8 engine and the torch-free ONNX runtime.

    python bench/long_audio_memory.py [--minutes 60 120] [--model speech] [--onnx exports/speech.onnx]

Writes a WAV of the given length (16 kHz, 16-bit: synthetic speech from the project's TTS, sentences with
pauses between them, repeated) and transcribes it once per path, each in a fresh process, printing the peak
resident memory (ru_maxrss of the child), the wall time and the words read. The files are read window by window
in every path, so memory should stay flat with length.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

RATE = 16000

CHILD = """
import json, resource, sys
path, how, model, onnx = sys.argv[1:5]
if how == "runtime":
    from recog.runtime import OnnxRecognizer
    rec = OnnxRecognizer(onnx, decoder="greedy")
else:
    import recog
    rec = recog.load(model, decoder="greedy", device="cpu", engine=how)
t = rec.transcribe(path)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # MiB (Linux reports KiB)
print(json.dumps({"peak_rss_mb": round(peak, 1), "words": len(t.text.split()), "extent": round(t.extent, 1)}))
"""


def speech_wav(path: Path, minutes: float) -> None:
    from recog_tts import SpeechSynthesizer, VoiceSpec

    synth = SpeechSynthesizer(sample_rate=RATE)
    texts = ["ENTER SIX TWO FOUR", "THE BIRCH CANOE SLID ON THE SMOOTH PLANKS", "J O H N", "RUBOUT G M E F THREE NINE"]
    gap = np.zeros(RATE // 2, np.float32)
    block = np.concatenate([x for t in texts for x in (synth.synthesize(t, VoiceSpec("en-us", rate=150)).audio, gap)])
    n = int(minutes * 60 * RATE)
    with sf.SoundFile(path, "w", RATE, 1, subtype="PCM_16") as f:
        written = 0
        while written < n:
            part = block[: n - written]
            f.write(part)
            written += len(part)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, nargs="+", default=[60.0, 120.0])
    ap.add_argument("--model", default="speech")
    ap.add_argument("--onnx", default="exports/speech.onnx")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for minutes in args.minutes:
            wav = Path(tmp) / f"{minutes:g}min.wav"
            speech_wav(wav, minutes)
            for how in ("torch", "onnx", "runtime"):
                t0 = time.perf_counter()
                done = subprocess.run([sys.executable, "-c", CHILD, str(wav), how, args.model, args.onnx],
                                      capture_output=True, text=True)
                wall = time.perf_counter() - t0
                if done.returncode != 0:
                    raise SystemExit(done.stderr)
                row = {"minutes": minutes, "path": how, "wall_s": round(wall, 1), **json.loads(done.stdout.splitlines()[-1])}
                rows.append(row)
                print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
