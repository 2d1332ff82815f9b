#!/usr/bin/env bash
# The test suite against the real PostgreSQL and Redis of this machine, with the real bundled GGUF.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh requirements-dev.txt requirements-train.txt
scripts/services.sh --postgres
# The review screen's browser tests drive Debian's Chromium through Playwright (no browser downloads here).
if ! command -v chromium >/dev/null; then
  echo "[tests] installing Debian's chromium for the browser tests"
  sudo_cmd=$([ "$(id -u)" -eq 0 ] || echo sudo)
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >/dev/null
fi
export DATABASE_URL=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}
export REDIS_URL=${TEST_REDIS_URL:-redis://127.0.0.1:6379/15}
.venv/bin/python manage.py fetch_model
.venv/bin/ruff check .
.venv/bin/lint-imports --no-cache      # the layer contracts in .importlinter: imports go downward, no cycles
.venv/bin/mypy                        # summarizer/ and training/ (pyproject.toml [tool.mypy])
.venv/bin/bandit -q -r therapy_notes sessions summarizer workers training -lll
.venv/bin/python manage.py makemigrations --check --dry-run >/dev/null
scripts/check_compose.sh              # `docker compose config` on docker-compose.yml with .env.example's values
.venv/bin/python -m pytest "$@"
