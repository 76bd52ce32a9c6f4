#!/usr/bin/env bash
# Ship a training run's bundle as a shipped model, the whole pipeline in one go (timed step by step):
#
#   bash bench/ship.sh handwriting|speech RUN_BUNDLE [NOTE_FILE]
#
# bench/ship.py stores the bundle float16 in its plugin with the test sets' greedy figures (and NOTE_FILE's text as
# training.note; without one the bundle's own note is kept), the character LM is rebuilt and re-tuned on dev
# (bench/build_lms.sh), the ONNX and int8 exports are built, the bench script records the beam + LM rows into the
# bundle (the README table's figures), the exports are built again so they carry them, and the tests that read the
# shipped models run. Handwriting also re-checks the samples (make_samples.py --survey) and prints the Hooker error
# report the README quotes. Before anything is written, the shipped model as committed (git HEAD: bundle, LM, int8
# network) is copied to runs/ship_base/; after the exports, the new model is compared with it on dev (greedy) and on
# every test set (the default decoder and engine) by a paired bootstrap (`recog eval --against`): ship only if no
# set reads significantly worse, else `git checkout -- plugins exports`. Needs `python bench/splits.py` and the test
# sets of bench/wip/README.md. DRY=1 prints the commands instead. The README's figures, bench/HISTORY.md and
# exports/README.md are still edited by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { echo "usage: bash bench/ship.sh handwriting|speech RUN_BUNDLE [NOTE_FILE]" >&2; exit 2; }
which=$1 bundle=$2 note=()
[ -f "$bundle" ] || { echo "bench/ship.sh: $bundle: no such bundle" >&2; exit 2; }
if [ $# -ge 3 ]; then
    [ -s "$3" ] || { echo "bench/ship.sh: $3: no such note file, or empty" >&2; exit 2; }
    note=(--note "$(cat "$3")")
fi
PY=${PYTHON:-python}
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-2}
# the test files that read this shipped model, its LM or its exports, the samples made for it, or every shipped model
mapfile -t model_tests < <(grep -l -E "\"$which\"|$which\.(safetensors|lm|int8|onnx|encoder)|samples/$which|recog\.models\(\)" tests/test_*.py)
run() { echo "== $(date +%T) $*"; [ -n "${DRY:-}" ] || "$@"; }
base=runs/ship_base
snapshot() {  # the committed shipped model's files (HEAD), named as in the plugin, so its LM and int8 network go with it
    rm -rf "$base" && mkdir -p "$base"
    git ls-files "$1" | grep "/$which\." | while read -r f; do git show "HEAD:$f" > "$base/${f##*/}"; done
}
against() {  # SET [recog eval options]: the new shipped model against the snapshot, paired bootstrap
    local set=$1; shift
    run "$PY" -m recog eval "$set" --model "$which" --against "$base/$which.safetensors" --quiet "$@"
}
case "$which" in
handwriting)
    run snapshot plugins/recog_image/models
    run "$PY" bench/ship.py "$bundle" plugins/recog_image/models/handwriting.safetensors "${note[@]}" \
        --test dhsd_test_writers=runs/splits/dhsd_test.jsonl --test synth_heldout_fonts=runs/synth_hw_test/all.jsonl \
        --test hooker_test=runs/splits/hooker_test.jsonl
    run env LM_ARGS="--threads $OMP_NUM_THREADS" bash bench/build_lms.sh handwriting
    run bash exports/build.sh handwriting
    run "$PY" samples/handwriting/make_samples.py --survey handwriting
    run "$PY" bench/handwriting.py --record --no-tesseract
    run bash exports/build.sh handwriting
    against runs/splits/handwriting_dev.jsonl --decoder greedy --engine torch
    for set in runs/splits/hooker_test.jsonl runs/splits/dhsd_test.jsonl runs/synth_hw_test/all.jsonl; do against "$set"; done
    run "$PY" -m pytest -q -x "${model_tests[@]}"
    run "$PY" -m recog eval runs/splits/hooker_test.jsonl --model handwriting --report 10 --by page
    ;;
speech)
    run snapshot plugins/recog_audio/models
    run "$PY" bench/ship.py "$bundle" plugins/recog_audio/models/speech.safetensors "${note[@]}" \
        --test an4_test=runs/splits/an4_test.jsonl --test so762_test=runs/splits/so762_test.jsonl \
        --test native_test=runs/splits/native_test.jsonl --test tts_an4=runs/tts_test_an4/manifest.jsonl \
        --test tts_en=runs/tts_test_en/manifest.jsonl
    run env LM_ARGS="--lm-weights 0.2 0.35 0.5 --bonuses 0.5 1 2 --threads $OMP_NUM_THREADS" bash bench/build_lms.sh speech
    run bash exports/build.sh speech
    run env OMP_NUM_THREADS=1 "$PY" bench/speech.py --record   # the README's speed figures are at one thread
    run bash exports/build.sh speech
    against runs/splits/speech_dev.jsonl --decoder greedy --engine torch
    for set in runs/splits/an4_test.jsonl runs/splits/so762_test.jsonl runs/splits/native_test.jsonl \
        runs/tts_test_an4/manifest.jsonl runs/tts_test_en/manifest.jsonl; do against "$set"; done
    run "$PY" -m pytest -q -x "${model_tests[@]}"
    ;;
*) echo "bench/ship.sh: unknown model '$which' (handwriting, speech)" >&2; exit 2 ;;
esac
echo "== $(date +%T) done: if no set above reads significantly worse than $base, now the README table and text,"
echo "   bench/HISTORY.md's training log, exports/README.md; else git checkout -- plugins exports"
