#!/usr/bin/env bash
# One command, embedded defaults: SQLite, the bundled SmolLM2 GGUF (+ shipped adapter), local Redis.
# Sets up, starts a worker and the web server, submits a generate-notes job over HTTP, polls it,
# prints the note and the job record, then stops what it started.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${THERAPY_NOTES_DEMO_PORT:-8000}
scripts/bootstrap.sh requirements.txt
scripts/services.sh
PY=.venv/bin/python
$PY manage.py migrate --noinput >/dev/null
$PY manage.py fetch_model
mkdir -p .run
cleanup() {
  [ -n "${WEB_PID:-}" ] && kill "$WEB_PID" 2>/dev/null || true
  [ -n "${WORKER_PID:-}" ] && kill -TERM "$WORKER_PID" 2>/dev/null && wait "$WORKER_PID" 2>/dev/null || true
}
trap cleanup EXIT
.venv/bin/celery -A therapy_notes worker --loglevel INFO --concurrency 1 -Q "${THERAPY_NOTES_QUEUE:-notes}" \
  --hostname "demo@%h" >.run/worker.log 2>&1 &
WORKER_PID=$!
$PY manage.py runserver --noreload "127.0.0.1:$PORT" >.run/web.log 2>&1 &
WEB_PID=$!
echo "[demo] waiting for the web server and a worker with a loaded model (logs in .run/)"
for _ in $(seq 1 240); do
  if curl -fsS "http://127.0.0.1:$PORT/health/ready" >/dev/null 2>&1; then break; fi
  kill -0 "$WORKER_PID" 2>/dev/null || { echo "worker died:"; tail -30 .run/worker.log; exit 1; }
  sleep 0.5
done
$PY manage.py demo_job --base-url "http://127.0.0.1:$PORT"
