#!/usr/bin/env bash
# Build the shipped models' character language models and tune their beam settings on dev.
#
#   python bench/splits.py && bash bench/build_lms.sh [speech|handwriting|speech-words|handwriting-words]
#
# speech / handwriting: character LMs (beam decoder, NAME.lm.json.gz); *-words: word trigram LMs (modified
# Kneser-Ney; words decoder, NAME.words.lm.gz) from the same training-side text.
#
# Text sources are training-side only (train splits and runs/splits/english_sentences_train.txt; see each
# case below). Dev splits (speakers/writers/pages held out of training; for speech also a small synthetic
# dev set) choose lm_weight and char_bonus by mean dev WER; test splits are never read here.
# SPEECH_MODEL / HANDWRITING_MODEL choose the bundle (default: the shipped one), *_LM_OUT the output, SPEECH_ORDER the
# speech LM's n-gram order (default 8: on the sixth run's model, dev WER 48.6% vs 50.1% at order 6 and 48.3% at 10),
# SPEECH_BEAM the prefixes the speech LM is tuned at and decodes with (default 64: on the shipped model of 2026-12-07,
# speech_dev WER 38.44% against 38.92% at 32; bench/HISTORY.md), HANDWRITING_ORDER the handwriting LM's (default 7: on the model of 2026-12-07, at weight 0.4 / bonus 1.0, dev CER
# Hooker 16.26% / DHSD 3.43% against 16.41% / 3.46% at order 9);
# LM_ARGS is passed on to every `recog lm` (e.g. LM_ARGS="--lm-weights 0.2 0.3 0.5 --bonuses 0.5 1 2": a smaller grid).
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
        # the English speech model: AN4-style text (AN4 train transcripts and the TTS training prompts, x3 so
        # spelled letters and digits keep their weight), FSDD digits, speechocean762 and ARCTIC/cathy *train* text,
        # and the English sentences (LJ Speech; the Harvard sentences are held out for tts_en)
        [ -f runs/prompts_train.txt ] || "$PY" bench/an4_prompts.py --n 700 --seed 0 \
            --with-an4-train runs/splits/an4_train.jsonl > runs/prompts_train.txt
        # a second, synthetic dev set (TTS with training-split voices) keeps the tuning from fitting one set
        [ -f runs/tts_dev/manifest.jsonl ] || { "$PY" bench/an4_prompts.py --n 150 --seed 7 > runs/prompts_dev.txt &&
            "$PY" -m recog synth --from runs/prompts_dev.txt --out runs/tts_dev --voices 10 --split train --seed 7; }
        an4=()
        for _ in 1 2 3; do an4+=(--text runs/splits/an4_train.jsonl --text runs/prompts_train.txt); done
        "$PY" -m recog lm ${LM_ARGS:-} --beam "${SPEECH_BEAM:-64}" --model "${SPEECH_MODEL:-speech}" --order "${SPEECH_ORDER:-8}" "${an4[@]}" \
            --text runs/splits/fsdd_train.jsonl --text runs/splits/so762_train.jsonl --text runs/splits/native_train.jsonl \
            --text runs/splits/english_sentences_train.txt \
            --tune runs/splits/speech_dev.jsonl --tune runs/tts_dev/manifest.jsonl \
            -o "${SPEECH_LM_OUT:-plugins/recog_audio/models/speech.lm.json.gz}"
        ;;
    handwriting)
        # German place names (DHSD train-writer labels and the project's list, x4), Hooker *train* lines (x2),
        # the English sentences (LJ Speech; Harvard held out), and everyday English (bench/everyday_english.py:
        # speechocean762 + ARCTIC/cathy *train* transcripts, 37,000 words drawn by frequency; needs '.[lm]')
        "$PY" -c 'from recog_image.placenames import PLACE_NAMES; print("\n".join(PLACE_NAMES))' > runs/placenames.txt
        "$PY" bench/everyday_english.py --transcripts runs/splits/so762_train.jsonl runs/splits/native_train.jsonl \
            --words 37000 --seed 0 > runs/everyday_english.txt
        german=()
        for _ in 1 2 3 4; do german+=(--text runs/splits/dhsd_train.jsonl --text runs/placenames.txt); done
        "$PY" -m recog lm ${LM_ARGS:-} --model "${HANDWRITING_MODEL:-handwriting}" --order "${HANDWRITING_ORDER:-7}" "${german[@]}" \
            --text runs/splits/hooker_train.jsonl --text runs/splits/hooker_train.jsonl \
            --text runs/splits/english_sentences_train.txt --text runs/everyday_english.txt \
            --tune runs/splits/dhsd_dev.jsonl --tune runs/splits/hooker_dev.jsonl \
            -o "${HANDWRITING_LM_OUT:-plugins/recog_image/models/handwriting.lm.json.gz}"
        ;;
    speech-words)
        [ -f runs/prompts_train.txt ] || "$PY" bench/an4_prompts.py --n 700 --seed 0 \
            --with-an4-train runs/splits/an4_train.jsonl > runs/prompts_train.txt
        [ -f runs/tts_dev/manifest.jsonl ] || { "$PY" bench/an4_prompts.py --n 150 --seed 7 > runs/prompts_dev.txt &&
            "$PY" -m recog synth --from runs/prompts_dev.txt --out runs/tts_dev --voices 10 --split train --seed 7; }
        an4=()
        for _ in 1 2 3; do an4+=(--text runs/splits/an4_train.jsonl --text runs/prompts_train.txt); done
        "$PY" -m recog lm ${LM_ARGS:-} --model "${SPEECH_MODEL:-speech}" --words "${an4[@]}" \
            --text runs/splits/fsdd_train.jsonl --text runs/splits/so762_train.jsonl --text runs/splits/native_train.jsonl \
            --text runs/splits/english_sentences_train.txt \
            --tune runs/splits/speech_dev.jsonl --tune runs/tts_dev/manifest.jsonl \
            -o "${SPEECH_WORDS_OUT:-plugins/recog_audio/models/speech.words.lm.gz}"
        ;;
    handwriting-words)
        "$PY" -c 'from recog_image.placenames import PLACE_NAMES; print("\n".join(PLACE_NAMES))' > runs/placenames.txt
        german=()
        for _ in 1 2 3 4; do german+=(--text runs/splits/dhsd_train.jsonl --text runs/placenames.txt); done
        "$PY" -m recog lm ${LM_ARGS:-} --model "${HANDWRITING_MODEL:-handwriting}" --words "${german[@]}" \
            --text runs/splits/hooker_train.jsonl --text runs/splits/hooker_train.jsonl \
            --text runs/splits/english_sentences_train.txt \
            --tune runs/splits/dhsd_dev.jsonl --tune runs/splits/hooker_dev.jsonl \
            -o "${HANDWRITING_WORDS_OUT:-plugins/recog_image/models/handwriting.words.lm.gz}"
        ;;
    *) echo "build_lms.sh: unknown model '$m' (speech, handwriting, speech-words, handwriting-words)" >&2; exit 2 ;;
    esac
done
