#!/usr/bin/env bash
# Build a dated release into releases/<version>/, where <version> is the code's version plus the
# data's release date (0.2.0+data.2026-11-30):
#
#   the wheel and the sdist; the data files (practice-graph.nt/.ttl/.jsonld, the viewer, analysis/);
#   release-notes.md and release-notes.json: the diff against the previous release; CITATION.cff;
#   SHA256SUMS.
#
# Usage: scripts/release.sh [--date YYYY-MM-DD] [PREVIOUS]
#   --date      a new data release: writes the date into data/release.yaml and CITATION.cff (commit them)
#   PREVIOUS    the previous release: its folder or practice-graph.nt, or a git revision (a tag such as
#               v0.1.0, or a commit) whose graph is built in a temporary worktree with that revision's
#               code; default: the newest other folder in releases/ (none: a first release, no notes)
# Environment: PYTHON (default .venv/bin/python, made by scripts/install.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-.venv/bin/python}
step() { printf '\n==> [%s] %s\n' "$1" "$2"; }
say() { printf '    %s\n' "$*"; }

date=""
previous=""
while [ $# -gt 0 ]; do
  case "$1" in
    --date) date=${2:?--date needs YYYY-MM-DD}; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) previous=$1; shift ;;
  esac
done
[ -x "$PY" ] || { echo "release.sh: $PY not found: run scripts/install.sh first (or set PYTHON)" >&2; exit 1; }
PY="$(cd "$(dirname "$PY")" && pwd)/$(basename "$PY")"  # absolute: step 4 runs it from another folder

step 1/5 "Version"
if [ -n "$date" ]; then
  [[ "$date" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]] || { echo "release.sh: --date $date is not YYYY-MM-DD" >&2; exit 2; }
  code_version=$("$PY" -c 'import practice_graph; print(practice_graph.__version__)')
  sed -i -E "s/^date: .*/date: $date/" data/release.yaml
  sed -i -E "s/^version: .*/version: $code_version+data.$date/; s/^date-released: .*/date-released: $date/" CITATION.cff
  say "data release $date written into data/release.yaml and CITATION.cff"
fi
version=$("$PY" - <<'EOF'
import sys
from pathlib import Path

import practice_graph
from practice_graph.curation.release import read_release

release = read_release(Path("data"), practice_graph.__version__)
sys.exit("release.sh: data/release.yaml is missing: give --date YYYY-MM-DD") if release is None else print(release.version)
EOF
)
grep -q "^version: $version$" CITATION.cff \
  || { echo "release.sh: CITATION.cff does not say version: $version (use --date, or edit it)" >&2; exit 1; }
[ -z "$(git status --porcelain 2>/dev/null)" ] || say "warning: the working tree has uncommitted changes; they go into the release"
out="releases/$version"
say "release $version into $out/"
rm -rf "$out"
mkdir -p "$out"

step 2/5 "Wheel and sdist (python -m build: the sdist, then the wheel built from it)"
"$PY" -c 'import build' 2>/dev/null || "$PY" -m pip install --quiet 'build>=1.2'
"$PY" -m build --outdir "$out" . | grep -E '^(\* |Successfully)' || true
ls "$out"/*.whl "$out"/*.tar.gz >/dev/null

step 3/5 "Data files (practice-graph build)"
"$PY" -m practice_graph.cli build --out "$out"
cp CITATION.cff "$out/"

step 4/5 "Release notes: the diff against the previous release"
if [ -z "$previous" ]; then
  previous=$(find releases -mindepth 1 -maxdepth 1 -type d ! -path "$out" -printf '%T@ %p\n' \
             | sort -n | tail -1 | cut -d' ' -f2-)
fi
if [ -z "$previous" ]; then
  say "no previous release: a first release has no notes"
else
  old_graph=$previous
  if [ ! -e "$previous" ]; then
    git rev-parse --verify --quiet "$previous^{commit}" >/dev/null \
      || { echo "release.sh: $previous is neither a release, a file nor a git revision" >&2; exit 2; }
    worktree=$(mktemp -d)
    trap 'git worktree remove --force "$worktree" >/dev/null 2>&1 || true; rm -rf "$worktree"' EXIT
    git worktree add --quiet --detach "$worktree" "$previous"
    say "building the graph of $previous ($(git log -1 --format='%h %cs' "$previous")) with its own code"
    old_graph="$worktree/practice-graph.nt"
    (cd "$worktree" && PYTHONPATH=src "$PY" -c '
import sys
from practice_graph.pipeline import build
sys.stdout.buffer.write(build().files["practice-graph.nt"])' > "$old_graph")
  fi
  "$PY" -m practice_graph.cli diff "$old_graph" "$out" --out "$out" > /dev/null
  mv "$out/diff.md" "$out/release-notes.md"
  mv "$out/diff.json" "$out/release-notes.json"
  sed -n '1,/^## Summary by kind/p' "$out/release-notes.md" | sed '$d' | sed 's/^/    /'
fi

step 5/5 "Checksums"
(cd "$out" && find . -type f ! -name SHA256SUMS -printf '%P\n' | LC_ALL=C sort | xargs -d '\n' sha256sum > SHA256SUMS)
say "$(wc -l < "$out/SHA256SUMS") files in $out/:"
find "$out" -maxdepth 1 -type f -printf '%f\n' | LC_ALL=C sort | sed 's/^/      /'
