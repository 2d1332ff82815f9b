#!/usr/bin/env bash
# The test suite against the real PostgreSQL and Redis of this machine, with the real bundled GGUF.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh requirements-dev.txt requirements-train.txt
scripts/services.sh --postgres
export DATABASE_URL=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}
export REDIS_URL=${TEST_REDIS_URL:-redis://127.0.0.1:6379/15}
.venv/bin/python manage.py fetch_model
.venv/bin/ruff check .
.venv/bin/lint-imports --no-cache      # the layer contracts in .importlinter: imports go downward, no cycles
.venv/bin/mypy                        # summarizer/ and training/ (pyproject.toml [tool.mypy])
.venv/bin/bandit -q -r therapy_notes sessions summarizer workers training -lll
.venv/bin/python manage.py makemigrations --check --dry-run >/dev/null
.venv/bin/python -m pytest "$@"
