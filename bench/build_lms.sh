#!/usr/bin/env bash
# Build the shipped models' character language models and tune their beam settings on dev.
#
#   python bench/splits.py && bash bench/build_lms.sh [speech|handwriting]
#
# Text sources are training-side only: AN4 *train* transcripts, the TTS training prompts
# (bench/an4_prompts.py, seed 0) and FSDD digits for speech; DHSD *train-writer* labels, the
# project's own German place-name list (x4, so German names outweigh the English sentences) and the
# English sentences under ../shared/data/text for handwriting. Dev splits (speakers/writers held out of
# training; for speech also a small synthetic dev set) choose lm_weight and char_bonus by mean dev WER;
# test splits are never read here.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python}
DATA=${DATA:-../shared/data}
WHICH=("$@")
[ ${#WHICH[@]} -gt 0 ] || WHICH=(speech handwriting)
mkdir -p runs
for m in "${WHICH[@]}"; do
    case "$m" in
    speech)
        [ -f runs/prompts_train.txt ] || "$PY" bench/an4_prompts.py --n 700 --seed 0 \
            --with-an4-train runs/splits/an4_train.jsonl > runs/prompts_train.txt
        # a second, synthetic dev set (TTS with training-split voices) keeps the tuning from fitting AN4 dev alone
        [ -f runs/tts_dev/manifest.jsonl ] || { "$PY" bench/an4_prompts.py --n 150 --seed 7 > runs/prompts_dev.txt &&
            "$PY" -m recog synth --from runs/prompts_dev.txt --out runs/tts_dev --voices 10 --split train --seed 7; }
        "$PY" -m recog lm --model speech --order 6 \
            --text runs/splits/an4_train.jsonl --text runs/prompts_train.txt --text runs/splits/fsdd_train.jsonl \
            --tune runs/splits/an4_dev.jsonl --tune runs/tts_dev/manifest.jsonl \
            -o plugins/recog_audio/models/speech.lm.json.gz
        ;;
    handwriting)
        "$PY" -c 'from recog_image.placenames import PLACE_NAMES; print("\n".join(PLACE_NAMES))' > runs/placenames.txt
        german=()
        for _ in 1 2 3 4; do german+=(--text runs/splits/dhsd_train.jsonl --text runs/placenames.txt); done
        "$PY" -m recog lm --model handwriting --order 7 "${german[@]}" \
            --text "$DATA/text/harvard_sentences.txt" --text "$DATA/text/ljspeech_sentences.txt" \
            --tune runs/splits/dhsd_dev.jsonl -o plugins/recog_image/models/handwriting.lm.json.gz
        ;;
    *) echo "build_lms.sh: unknown model '$m' (speech, handwriting)" >&2; exit 2 ;;
    esac
done
