#!/usr/bin/env bash
# Install what practice-graph needs on a fresh Debian machine: Chromium (the viewer's browser
# tests) and CJK fonts (charts, screenshots) from Debian when they are missing, then the Python
# package with its test extra. Run from anywhere; needs root (or sudo) only for the Debian part.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
fc-list :lang=zh 2>/dev/null | grep -q . || need+=(fonts-noto-cjk fonts-wqy-microhei fontconfig)
if [ ${#need[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    rm -rf "${HOME}/.cache/matplotlib"   # let matplotlib see the new fonts
  else
    echo "install.sh: please install ${need[*]} with your system's package manager" >&2
  fi
fi

python3 -m pip install --quiet --upgrade pip
python3 -m pip install --quiet -e '.[test]'
