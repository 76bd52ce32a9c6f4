#!/usr/bin/env bash
# Install handwriting-style fonts for the synthetic handwriting generator (recog_image.synth).
# Idempotent: packages already installed are skipped, packages the archive lacks are skipped,
# and without apt (or without root) the script does nothing and exits 0.
set -u

PACKAGES=(
    fonts-dkg-handwriting   # Daniel Kahn Gillmor's handwriting
    fonts-bwht              # six handwritten fonts (Because We Had To)
    fonts-breip             # informal handwriting
    fonts-kristi            # felt-tip cursive
    fonts-sjfonts           # Some Juicy Fonts handwriting fonts
    fonts-femkeklaver       # simple handwriting
    fonts-humor-sans        # xkcd-style hand lettering
    fonts-dancingscript     # casual script
    fonts-rufscript         # handwriting-based Latin
    fonts-klee              # pencil/pen script (Japanese, with Latin)
    fonts-ecolier-court     # French school cursive
    fonts-comic-neue        # Comic Sans remake
    fonts-tomsontalks       # comic lettering
    fonts-kaushanscript     # quick inked-brush script
    fonts-leckerli-one      # handwritten-feeling display face
    fonts-lobster           # bold condensed script
    fonts-levien-typoscript # ATF Typo Script revival
    fonts-joscelyn          # secretary hand
    fonts-havana            # upright everyday script
    fonts-isabella          # calligraphic book hand (Isabella Breviary)
    fonts-gnutypewriter     # typewriter: typed lines
    fonts-urw-base35        # only its Z003, a chancery script, is used
)

if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
    echo "fonts.sh: apt-get not available; skipping font install" >&2
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        SUDO="sudo -n"
    else
        echo "fonts.sh: not root and no sudo; skipping font install" >&2
        exit 0
    fi
fi

missing=()
for p in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "fonts.sh: all ${#PACKAGES[@]} font packages already installed"
    exit 0
fi

export DEBIAN_FRONTEND=noninteractive
# refresh the package lists only when apt does not know a package we want
if ! apt-cache show "${missing[0]}" >/dev/null 2>&1; then
    $SUDO apt-get update -qq >/dev/null 2>&1 || true
fi
available=()
for p in "${missing[@]}"; do
    if apt-cache show "$p" >/dev/null 2>&1; then
        available+=("$p")
    fi
done
if [ ${#available[@]} -eq 0 ]; then
    echo "fonts.sh: none of the missing font packages exist in this archive; skipping" >&2
    exit 0
fi
if ! $SUDO apt-get install -y -qq --no-install-recommends "${available[@]}" >/dev/null 2>&1; then
    # one broken package must not block the others
    for p in "${available[@]}"; do
        $SUDO apt-get install -y -qq --no-install-recommends "$p" >/dev/null 2>&1 || echo "fonts.sh: could not install $p" >&2
    done
fi
command -v fc-cache >/dev/null 2>&1 && fc-cache -f >/dev/null 2>&1
echo "fonts.sh: installed ${#available[@]} font package(s)"
exit 0
