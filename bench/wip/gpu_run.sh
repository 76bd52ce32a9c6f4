#!/bin/bash
# Device driver: render synthetic lines, probe the step time of two runs, then train both to fill the time left.
# env: OUT (results), BUDGET (seconds this script may take in all), PROBE_STEPS, NRENDER, RW (render processes)
T0=$(date +%s)
G=$(dirname "$0")
BUDGET=${BUDGET:-560}; PROBE_STEPS=${PROBE_STEPS:-40}; NRENDER=${NRENDER:-800}; RW=${RW:-8}
export OMP_NUM_THREADS=1 PYTHONUNBUFFERED=1
R="${R:-python3 -m recog}"
if [ -n "$DEVICE" ]; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target /tmp/site $G/whl/*.whl || exit 1
  export PYTHONPATH=$PWD:$PWD/plugins:$G/site:/tmp/site
  nvidia-smi -L; python3 -c "import torch; print(torch.__version__, torch.cuda.is_available())"
fi
$R plugins || exit 1
for i in $(seq 1 $RW); do
  $R render --out /tmp/syn$i --count $NRENDER --seed $((100+i)) --text $G/english_sentences_train.txt --font-dir $G/fonts --quiet > /tmp/render$i.log 2>&1 &
done
wait; tail -n1 /tmp/render1.log
SYN=""; for i in $(seq 1 $RW); do SYN="$SYN --train /tmp/syn$i/all.jsonl"; done
H=$G/hooker_train.jsonl; D=$G/dhsd_train.jsonl
DATA="--train $H --train $H --train $D $SYN --dev $G/dev.jsonl"
ITEMS=$(( $(wc -l < $H) * 2 + $(wc -l < $D) + RW * NRENDER ))
echo "items/epoch $ITEMS; setup $(( $(date +%s) - T0 )) s"
RA=${RA:-$G/a.recipe.json}; RB=${RB:-$G/b.recipe.json}; INIT=${INIT:-plugins/recog_image/models/handwriting.safetensors}
probe() {  # both runs side by side, as in the real run
  $R train $DATA --recipe $RA --init $INIT --max-steps $PROBE_STEPS --overwrite --out /tmp/pa --quiet > /tmp/pa.log 2>&1 &
  $R train $DATA --recipe $RB --init $INIT --max-steps $PROBE_STEPS --overwrite --out /tmp/pb --quiet > /tmp/pb.log 2>&1 &
  wait
}
probe
if ! grep -q '"loss"' /tmp/pa/log.jsonl 2>/dev/null; then
  echo "probe failed; retrying without bf16 autocast"; tail -n5 /tmp/pa.log
  sed -i 's/"amp": true/"amp": false/' $RA $RB
  probe
fi
tail -n3 /tmp/pa.log /tmp/pb.log
sps() { python3 - "$1" <<'P'
import json, sys
try:
    r = [json.loads(l) for l in open(sys.argv[1]) if '"loss"' in l]
    a, b = r[1], r[-1]   # step 10 .. last logged step: workers warm
    print(f"{(b['time'] - a['time']) / (b['step'] - a['step']):.4f}")
except Exception:
    print("0")
P
}
SA=$(sps /tmp/pa/log.jsonl); SB=$(sps /tmp/pb/log.jsonl)
LEFT=$(( BUDGET - ($(date +%s) - T0) - 25 ))
STEPS=$(( (ITEMS + 47) / 48 + 3 ))
epochs() {  # epochs of s/step $1 that fit the time left (0: the probe failed)
  python3 -c "print(0 if $1 == 0 else max(1, int(($LEFT - 80) / ($STEPS * $1 + 6))))"
}
every() {  # recipe $1 with a dev pass every $2 epochs -> $3
  python3 -c "import json,sys; r=json.load(open(sys.argv[1])); r['train']['eval_every']=$2; json.dump(r, open(sys.argv[2],'w'))" $1 $3
}
# about six dev passes a run, the last on the last epoch
EA=$(epochs $SA); EB=$(epochs $SB); KA=$(( EA / 6 > 0 ? EA / 6 : 1 )); KB=$(( EB / 6 > 0 ? EB / 6 : 1 ))
EA=$(( EA / KA * KA )); EB=$(( EB / KB * KB ))
every $RA $KA /tmp/ra.json; every $RB $KB /tmp/rb.json
echo "s/step A $SA B $SB; left $LEFT s; epochs A $EA (dev every $KA) B $EB (dev every $KB)"
[ "$EA" -gt 0 ] && timeout $((LEFT + 15)) $R train $DATA --recipe /tmp/ra.json --init $INIT --epochs $EA --ema 0.999 --out $OUT/a --quiet > $OUT/a.log 2>&1 &
[ "$EB" -gt 0 ] && timeout $((LEFT + 15)) $R train $DATA --recipe /tmp/rb.json --init $INIT --epochs $EB --ema 0.999 --out $OUT/b --quiet > $OUT/b.log 2>&1 &
wait
rm -f $OUT/a/checkpoint.pt $OUT/b/checkpoint.pt
# float16 weights (exact for the shipped pipeline, which stores float16 anyway): the wider bundle in float32 is over
# the 16 MB a file the device returns
for d in a b; do [ -f $OUT/$d/model.safetensors ] && python3 -c "import sys, recog; recog.Bundle.load(sys.argv[1]).save(sys.argv[1], half=True)" $OUT/$d/model.safetensors; done
ls -la $OUT/a $OUT/b
tail -n2 $OUT/a.log $OUT/b.log
grep '"dev"' $OUT/a/log.jsonl | tail -n3; grep '"dev"' $OUT/b/log.jsonl | tail -n3
echo "total $(( $(date +%s) - T0 )) s"
