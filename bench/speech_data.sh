#!/usr/bin/env bash
# The English speech model's training data, regenerated exactly (everything lands in runs/, never in git).
#
#   bash bench/speech_data.sh            # splits + synthetic speech (a few minutes on one core)
#
# Real speech: AN4 train (x2 in the run), FSDD, speechocean762 train speakers (x2), ARCTIC/cathy train prompts
# (bench/splits.py). Synthetic speech: 3,000 English sentences (bench/pick_sentences.py from the training side of
# ../shared/data/text, seed 0) spoken by 80 espeak-ng voices of the training split (runs/tts_english), and, from
# the next run on, the same sentences by voices of every installed engine (runs/tts_engines; .ci/tts.sh and
# pip install 'recog[tts]' install flite, festival and Pico).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python}
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
"$PY" bench/splits.py
[ -f runs/english_prompts_train.txt ] || "$PY" bench/pick_sentences.py runs/splits/english_sentences_train.txt \
    --n 3000 --max-words 16 --seed 0 > runs/english_prompts_train.txt
[ -f runs/tts_english/manifest.jsonl ] || "$PY" -m recog synth --from runs/english_prompts_train.txt \
    --out runs/tts_english --voices 80 --split train --seed 1 --quiet
[ -f runs/tts_engines/manifest.jsonl ] || "$PY" -m recog synth --from runs/english_prompts_train.txt \
    --out runs/tts_engines --voices 80 --engines espeak,flite,festival,pico --split train --seed 2 --quiet
[ -f runs/prompts_train.txt ] || "$PY" bench/an4_prompts.py --n 700 --seed 0 \
    --with-an4-train runs/splits/an4_train.jsonl > runs/prompts_train.txt
# the shipped model's AN4-style synthetic speech (spelled letters, digits, commands): without it the English run
# forgot spelled letters from synthetic voices (tts_an4 CER 3.7% -> 22%)
[ -f runs/tts_train/manifest.jsonl ] || "$PY" -m recog synth --from runs/prompts_train.txt --out runs/tts_train \
    --voices 60 --split train --seed 1 --quiet
