#!/usr/bin/env bash
# Schemathesis against the drf-spectacular schema, authenticated, on a throwaway SQLite database.
# No worker runs, so submitted jobs just stay queued. positive_data_acceptance is excluded: a
# schema-valid body naming a patient/session that does not exist (or is another clinician's) is
# rejected by design (400/404); the logout endpoints are excluded because
# they would revoke the fuzzer's own token; every other check (5xx, status codes, response schemas) runs. Usage: scripts/fuzz.sh [max examples per operation]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh requirements-dev.txt
scripts/services.sh
tmp=$(mktemp -d)
export DATABASE_URL="sqlite:///$tmp/fuzz.sqlite3" THERAPY_NOTES_QUEUE="fuzz-$$" THERAPY_NOTES_JOB_THROTTLE="100000/min" THERAPY_NOTES_LOGIN_THROTTLE="100000/min"
PY=.venv/bin/python
$PY manage.py migrate --noinput >/dev/null
TOKEN=$($PY manage.py shell -c "
from django.contrib.auth import get_user_model; from sessions.auth import issue_api_token
from sessions.models import Patient, Session
u,_=get_user_model().objects.get_or_create(username='fuzz')
p,_=Patient.objects.get_or_create(clinician=u, display_name='Fuzz patient')
Session.objects.get_or_create(patient=p, session_number=1, session_date='2026-11-01', original_transcription='T: hi')
print(issue_api_token(u)[0])" | tail -1 | tr -d "[:space:]")
PORT=${FUZZ_PORT:-8765}
$PY manage.py runserver --noreload "127.0.0.1:$PORT" >"$tmp/web.log" 2>&1 &
WEB=$!
trap 'kill $WEB 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do curl -fsS "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break; sleep 0.5; done
# -H also goes with the schema request: /api/schema/ needs authentication.
.venv/bin/schemathesis --config-file scripts/schemathesis.toml run "http://127.0.0.1:$PORT/api/schema/" -H "Authorization: Token $TOKEN" \
  --checks all --exclude-checks positive_data_acceptance \
  --exclude-path-regex "^/api/auth/logout" --max-examples "${1:-50}" --seed 1 --report junit --report-dir "$tmp/report"
if grep -E "Traceback|Internal Server Error" "$tmp/web.log" >/dev/null; then
  echo "server errors logged:"; grep -B2 -A20 Traceback "$tmp/web.log" | head -80; exit 1
fi
