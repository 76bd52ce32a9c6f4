#!/usr/bin/env bash
# Regenerate the AN4-style speech samples of this folder: 16 kHz, 16-bit mono WAV, plus manifest.jsonl
# (the engine's manifest format, paths relative to this folder).
#
# Voice: espeak-ng 1.52.0 (the espeakng-loader wheel), language "en-us" with its own voice (no variant),
# 150 words per minute, pitch 50, pitch range 50 -> speaker "tts:en-us:r150:p50:g50".
# Synthesis is deterministic, so rerunning this script reproduces the committed files.
#
# Usage: samples/speech/make_samples.sh   (PYTHON=path/to/python to choose the interpreter)
set -euo pipefail
cd "$(dirname "$0")"
PYTHON=${PYTHON:-python3}

: > manifest.jsonl
speak() {  # speak TEXT FILE
    "$PYTHON" -m recog_tts "$1" -o "$2" --voice en-us --rate 150 --pitch 50 --pitch-range 50 --sample-rate 16000 \
        >> manifest.jsonl
}
speak "YES" yes.wav
speak "ENTER SIX TWO FOUR" enter_six_two_four.wav
speak "J O H N" j_o_h_n.wav
speak "THREE FIVE TWO" three_five_two.wav
