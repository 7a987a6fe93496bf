#!/usr/bin/env bash
# Install practice-graph from this checkout into a virtual environment, .venv/ in the checkout:
# Debian 12+ and Ubuntu 23.04+ refuse `pip install` into the system Python (PEP 668,
# "externally-managed-environment"), so nothing here touches it.
#
#   1. Debian/Ubuntu packages, when missing: python3-venv (to make .venv), Chromium (the viewer's
#      browser tests) and a CJK font (their screenshots). Needs root or sudo; skipped elsewhere.
#   2. The virtual environment .venv/ (kept when it already works).
#   3. practice-graph, editable, with its test extra, into .venv/.
#   4. A check that .venv/bin/practice-graph runs.
#
# Afterwards: .venv/bin/practice-graph build, .venv/bin/python -m pytest -n auto
# (or `source .venv/bin/activate` once, then practice-graph and pytest).
# Environment: PYTHON (default python3) makes the environment; VENV (default .venv) is where.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}
step() { printf '\n==> [%s] %s\n' "$1" "$2"; }
say() { printf '    %s\n' "$*"; }

step 1/4 "System packages"
command -v "$PYTHON" >/dev/null 2>&1 || { echo "install.sh: $PYTHON not found: install Python 3.11 or newer" >&2; exit 1; }
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || { echo "install.sh: $("$PYTHON" --version 2>&1) is too old: practice-graph needs Python 3.11 or newer" >&2; exit 1; }
distribution=$(. /etc/os-release 2>/dev/null && echo "${ID:-}")
need=()
"$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1 || need+=(python3-venv)
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$distribution" = ubuntu ]; then
    say "Chromium: Ubuntu ships it as a snap only; the browser tests will skip without it"
  else
    need+=(chromium)
  fi
fi
fc-list :lang=zh 2>/dev/null | grep -q . || need+=(fonts-noto-cjk fontconfig)
if [ ${#need[@]} -eq 0 ]; then
  say "nothing to install: $("$PYTHON" --version 2>&1) with venv, Chromium and a CJK font are here"
elif command -v apt-get >/dev/null 2>&1; then
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "install.sh: run as root, or install sudo, to apt-get install ${need[*]}" >&2; exit 1; }
    sudo=(sudo)
    say "sudo may ask for your password"
  fi
  say "apt-get install ${need[*]} (a minute or two)"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -q
  "${sudo[@]}" apt-get install -y -q --no-install-recommends "${need[@]}"
else
  say "no apt-get here: install ${need[*]} with your system's package manager"
  "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1 || { echo "install.sh: $PYTHON cannot make a virtual environment" >&2; exit 1; }
fi

step 2/4 "Virtual environment $VENV/"
if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c 'import sys; sys.exit(sys.prefix == sys.base_prefix)' 2>/dev/null; then
  say "using the existing $VENV/ ($("$VENV/bin/python" --version 2>&1))"
else
  say "$PYTHON -m venv $VENV (not the system Python: it is externally managed on Debian and Ubuntu)"
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
fi

step 3/4 "practice-graph and its test extra into $VENV/ (pip; a few minutes the first time)"
say "pip install --upgrade pip"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
say "pip install -e '.[test]'"
"$VENV/bin/python" -m pip install --progress-bar off -e '.[test]'

step 4/4 "Check"
"$VENV/bin/practice-graph" --version
say "installed. Next:"
say "  $VENV/bin/practice-graph build      # or: source $VENV/bin/activate, then practice-graph build"
say "  $VENV/bin/python -m pytest -n auto"
