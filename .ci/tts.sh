#!/usr/bin/env bash
# Install the optional speech engines of the tts plugin (recog_tts.engines): flite, festival and its voices.
# Idempotent; without apt (or without root) it does nothing and exits 0, and the engine tests skip.
set -u

PACKAGES=(
    flite               # CMU flite: awb, rms, slt, kal, kal16
    festival            # festival's text2wave
    festvox-kallpc16k   # kal_diphone (US male, diphone)
    festvox-kdlpc16k    # ked_diphone (US male, diphone)
    festvox-us-slt-hts  # cmu_us_slt_arctic_hts (US female, HTS)
)

if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
    echo "tts.sh: apt-get not available; skipping" >&2
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
        echo "tts.sh: not root and no sudo; skipping" >&2
        exit 0
    fi
fi
missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "tts.sh: all ${#PACKAGES[@]} packages already installed"
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-cache show "${missing[0]}" >/dev/null 2>&1 || $SUDO apt-get update -qq >/dev/null 2>&1 || true
for p in "${missing[@]}"; do
    $SUDO apt-get install -y -qq --no-install-recommends "$p" >/dev/null 2>&1 || echo "tts.sh: could not install $p" >&2
done
echo "tts.sh: installed what the archive has of: ${missing[*]}"
exit 0
