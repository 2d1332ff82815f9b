#!/usr/bin/env bash
# Create .venv and install requirements (skipped when the requirement files are unchanged).
# Usage: scripts/bootstrap.sh [requirements files...]   (default: requirements.txt)
set -euo pipefail
cd "$(dirname "$0")/.."
files=("${@:-requirements.txt}")
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "[bootstrap] creating .venv with $($PYTHON --version)"
  "$PYTHON" -m venv .venv
  .venv/bin/pip install -q --upgrade pip
fi
# Hash requirements*.txt too: the named files pull requirements.txt in with -r.
stamp=".venv/.installed-$(cat "${files[@]}" requirements*.txt | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "[bootstrap] installing ${files[*]} (llama-cpp-python compiles on first install: ~8 min on 2 cores)"
  args=()
  for f in "${files[@]}"; do args+=(-r "$f"); done
  .venv/bin/pip install -q "${args[@]}"
  touch "$stamp"
fi
