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
# llama.cpp is compiled for this CPU, without AMX: on VMs that report AMX but do not grant its tile
# state (seen here: Firecracker guests), ggml's AMX kernels fault on `ldtilecfg` and every generation
# dies with SIGSEGV. The wheel is built once per machine into a wheelhouse and installed from there,
# so pip never reuses a native build it cached earlier.
LLAMA_SPEC=$(grep -E '^llama-cpp-python==' requirements.txt)
LLAMA_VERSION=${LLAMA_SPEC#*==}
WHEELHOUSE=${THERAPY_NOTES_WHEELHOUSE:-$HOME/.cache/therapy-notes/wheels}
llama_stamp=".venv/.llama-cpp-${LLAMA_VERSION}-no-amx"
if [ ! -f "$llama_stamp" ]; then
  if ! ls "$WHEELHOUSE"/llama_cpp_python-"$LLAMA_VERSION"-*.whl >/dev/null 2>&1; then
    echo "[bootstrap] compiling $LLAMA_SPEC without AMX into $WHEELHOUSE (~8 min on 2 cores, once per machine)"
    mkdir -p "$WHEELHOUSE"
    no_amx="-mno-amx-tile -mno-amx-int8 -mno-amx-bf16"
    CFLAGS="${CFLAGS:-} $no_amx" CXXFLAGS="${CXXFLAGS:-} $no_amx" .venv/bin/pip wheel -q --no-deps \
      --no-binary llama-cpp-python --no-cache-dir -w "$WHEELHOUSE" "$LLAMA_SPEC"
  fi
  .venv/bin/pip install -q --no-deps --force-reinstall --no-index --find-links "$WHEELHOUSE" "$LLAMA_SPEC"
  touch "$llama_stamp"
fi
# Hash requirements*.txt too: the named files pull requirements.txt in with -r.
stamp=".venv/.installed-$(cat "${files[@]}" requirements*.txt | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "[bootstrap] installing ${files[*]}"
  args=()
  for f in "${files[@]}"; do args+=(-r "$f"); done
  .venv/bin/pip install -q "${args[@]}"
  touch "$stamp"
fi
