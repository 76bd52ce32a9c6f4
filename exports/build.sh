#!/usr/bin/env bash
# Regenerate the ONNX exports of the shipped models: exports/NAME.onnx (fp32) and exports/NAME.int8.onnx,
# plus exports/NAME.lm.json.gz (the model's character LM, a copy) where the model ships one; and beside each
# bundle NAME.int8.onnx (features in), the network `recog transcribe`/`eval` run by default (--engine auto),
# with its accuracy against PyTorch recorded on the model's test split (needs ../shared/data).
#
#   bash exports/build.sh            # every shipped model that is installed
#   bash exports/build.sh speech     # just one
#
# Each export is checked against PyTorch before it is written (see recog.export). Models that are
# not registered yet (their bundle is not installed) are skipped with a note; any other failure stops.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python}
MODELS=("$@")
[ ${#MODELS[@]} -gt 0 ] || MODELS=(speech handwriting)
HAVE=$("$PY" -c 'import recog; print(" ".join(recog.models()))')
for model in "${MODELS[@]}"; do
    if [[ " $HAVE " != *" $model "* ]]; then
        echo "build.sh: model '$model' is not registered (bundle not installed); skipped" >&2
        continue
    fi
    "$PY" -m recog export "$model" -o "exports/$model.onnx"
    "$PY" -m recog export "$model" -o "exports/$model.int8.onnx" --int8
    case "$model" in speech) check=an4_test ;; handwriting) check=dhsd_test ;; *) check= ;; esac
    if [ -n "$check" ]; then
        [ -f "runs/splits/$check.jsonl" ] || "$PY" bench/splits.py
        bundle=$("$PY" -c 'import sys, recog; print(recog.resolve_model(sys.argv[1]))' "$model")
        "$PY" -m recog export "$model" -o "${bundle%.safetensors}.int8.onnx" --int8 --no-features-in-graph \
            --check "runs/splits/$check.jsonl"
    fi
done
