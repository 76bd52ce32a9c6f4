#!/usr/bin/env bash
# Regenerate the ONNX exports of the shipped models:
#   - beside each bundle, NAME.int8.onnx: the whole input in (raw waveform / line features), int8; what a
#     torch-free install runs (package data), linked from exports/NAME.int8.onnx;
#   - beside each bundle, NAME.encoder.int8.onnx: the network alone (features in), what `recog transcribe`/`eval`
#     run by default with PyTorch installed (--engine auto), its accuracy against PyTorch recorded on the model's
#     test split (needs ../shared/data);
#   - exports/NAME.onnx (fp32, whole input) and exports/NAME.lm.json.gz (the model's character LM, a copy).
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
    bundle=$("$PY" -c 'import os, sys, recog; print(os.path.relpath(recog.resolve_model(sys.argv[1])))' "$model")
    "$PY" -m recog export "$model" -o "exports/$model.onnx"
    "$PY" -m recog export "$model" -o "${bundle%.safetensors}.int8.onnx" --int8
    ln -sfn "../${bundle%.safetensors}.int8.onnx" "exports/$model.int8.onnx"
    case "$model" in speech) check=an4_test ;; handwriting) check=dhsd_test ;; *) check= ;; esac
    if [ -n "$check" ]; then
        [ -f "runs/splits/$check.jsonl" ] || "$PY" bench/splits.py
        "$PY" -m recog export "$model" -o "${bundle%.safetensors}.encoder.int8.onnx" --int8 --no-features-in-graph \
            --check "runs/splits/$check.jsonl"
    fi
done
