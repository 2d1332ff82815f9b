"""Security table of issue 17, defects 1-7: each test reproduces one defect found by trying the API as an
attacker and as a clumsy client, and failed before its fix. The docstrings quote the defect."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from datetime import date

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from knox.models import AuthToken
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from sessions.auth import issue_api_token
from sessions.job_execution import claim_job, store_outcome
from sessions.models import NoteJob, Patient, Session
from summarizer.notes import NoteOutcome
from tests.conftest import REPO, SAMPLE_TRANSCRIPT, client_for
from tests.errors import error_code, error_detail, field_errors
from tests.summarizer.fakes import FAKE_IDENTITY

# Transactional: the race in 5c needs a second connection that sees (or not) what this one committed.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    cache.clear()
    yield
    cache.clear()


def _ai_note(session: Session, text: str = "AI draft of the session") -> None:
    session.refresh_from_db()  # the job must start from the current notes version, or it is a suggestion
    job = NoteJob.objects.create(kind="session_note", clinician=session.patient.clinician, session=session,
                                 patient=session.patient, base_notes_version=session.notes_version)
    claim_job(str(job.pk))
    store_outcome(str(job.pk), NoteOutcome(text=text, inference_time=1, prompt_tokens=1, completion_tokens=1,
                                           model=FAKE_IDENTITY))


def _other_records(other_clinician) -> tuple[Patient, Session, NoteJob]:
    patient = Patient.objects.create(clinician=other_clinician, display_name="Other Clinician Patient")
    session = Session.objects.create(patient=patient, session_number=1, session_date=date(2026, 11, 3),
                                     original_transcription="Therapist: hello.\nPatient: SECRET-TRANSCRIPT-B")
    job = NoteJob.objects.create(kind="session_note", clinician=other_clinician, session=session, patient=patient)
    return patient, session, job


# --- 1. Provenance ------------------------------------------------------------------------------------

def test_1_client_cannot_forge_note_provenance(api, session) -> None:
    """Defect 1: "Provenance can be forged: PUT .../notes {"notes":"hand written","is_ai_generated":true}
    -> 200 with is_ai_generated: true, generated_at: null; PUT .../notes {"notes":"Completely rewritten...",
    "edited_from_ai":false} -> edited_from_ai: false on an AI note.\""""
    url = f"/api/sessions/{session.pk}/notes"
    forged = api.put(url, {"notes": "hand written", "is_ai_generated": True}, format="json")
    assert forged.status_code == 200
    meta = forged.json()["notes_metadata"]
    assert meta["is_ai_generated"] is False and meta["generated_at"] is None

    _ai_note(session)
    assert api.get(f"/api/sessions/{session.pk}/").json()["notes"] == "AI draft of the session"
    hidden = api.put(url, {"notes": "Completely rewritten by the clinician", "edited_from_ai": False}, format="json")
    assert hidden.status_code == 200
    meta = hidden.json()["notes_metadata"]
    assert meta["is_ai_generated"] is True and meta["edited_from_ai"] is True
    disowned = api.put(url, {"notes": "Completely rewritten by the clinician", "is_ai_generated": False},
                       format="json")
    assert disowned.json()["notes_metadata"]["is_ai_generated"] is True
    session.refresh_from_db()
    assert (session.notes_is_ai_generated, session.notes_edited_from_ai) == (True, True)


# --- 2. Admin scoping ---------------------------------------------------------------------------------

def test_2_admin_shows_a_staff_clinician_only_their_own_records(clinician, other_clinician, session) -> None:
    """Defect 2: "Admin not scoped: a staff user who is not a superuser lists every clinician's patients
    and opens their transcripts in the admin; the API scopes correctly, the admin does not.\""""
    clinician.is_staff = True
    clinician.save()
    clinician.user_permissions.set(Permission.objects.filter(
        content_type__app_label="therapy_sessions", codename__in=[
            "view_patient", "change_patient", "add_session", "view_session", "change_session", "view_notejob"]))
    other_patient, other_session, other_job = _other_records(other_clinician)
    own_job = NoteJob.objects.create(kind="session_note", clinician=clinician, session=session,
                                     patient=session.patient)
    staff = Client()
    staff.force_login(clinician)

    patients = staff.get("/admin/therapy_sessions/patient/").content.decode()
    assert session.patient.display_name in patients and other_patient.display_name not in patients
    sessions = staff.get("/admin/therapy_sessions/session/").content.decode()
    assert str(session.patient) in sessions and other_patient.display_name not in sessions
    jobs = staff.get("/admin/therapy_sessions/notejob/").content.decode()
    assert str(own_job.pk) in jobs and str(other_job.pk) not in jobs
    for url in (f"/admin/therapy_sessions/session/{other_session.pk}/change/",
                f"/admin/therapy_sessions/session/{other_session.pk}/history/",
                f"/admin/therapy_sessions/patient/{other_patient.pk}/change/",
                f"/admin/therapy_sessions/patient/{other_patient.pk}/history/",
                f"/admin/therapy_sessions/notejob/{other_job.pk}/change/"):
        response = staff.get(url, follow=True)
        assert "SECRET-TRANSCRIPT-B" not in response.content.decode(), url
        assert response.status_code in (403, 404) or response.redirect_chain, (url, response.status_code)
    # The add form offers only the clinician's own patients (their names are not leaked as choices).
    add_form = staff.get("/admin/therapy_sessions/session/add/").content.decode()
    assert session.patient.display_name in add_form and other_patient.display_name not in add_form
    assert staff.get(f"/admin/therapy_sessions/session/{session.pk}/change/").status_code == 200

    operator = Client()
    operator.force_login(get_user_model().objects.create_superuser("operator", "op@example.org", "pw-op-12345"))
    assert other_patient.display_name in operator.get("/admin/therapy_sessions/patient/").content.decode()
    assert "SECRET-TRANSCRIPT-B" in operator.get(
        f"/admin/therapy_sessions/session/{other_session.pk}/change/").content.decode()


# --- 3. Login throttle --------------------------------------------------------------------------------

@pytest.fixture
def login_rate_5(monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {**ScopedRateThrottle.THROTTLE_RATES, "login": "5/min"})


def _login(client: APIClient, username: str, password: str, **headers: str):
    return client.post("/api/auth/token", {"username": username, "password": password}, format="json", **headers)


def test_3_login_throttle_is_not_keyed_on_x_forwarded_for(login_rate_5) -> None:
    """Defect 3: "Login throttle bypass: with X-Forwarded-For: 10.9.8.$i on each attempt, 15 wrong passwords
    after the 429 were all answered 400 and the right one got a token; the throttle is keyed on a
    client-supplied header (NUM_PROXIES unset).\""""
    get_user_model().objects.create_user(username="dr-lee", password="correct horse battery")
    client = APIClient()
    # A different username on each attempt too, so that only the address can count them.
    codes = [_login(client, f"guess-{i}", "wrong", HTTP_X_FORWARDED_FOR=f"10.9.8.{i}").status_code
             for i in range(15)]
    assert codes[:5] == [400] * 5 and codes[5:] == [429] * 10, codes
    right = _login(client, "dr-lee", "correct horse battery", HTTP_X_FORWARDED_FOR="10.9.8.200")
    assert right.status_code == 429 and "token" not in right.json()
    assert django_settings.REST_FRAMEWORK["NUM_PROXIES"] == 0  # the default: REMOTE_ADDR decides


def test_3_login_throttle_counts_per_username_across_addresses(login_rate_5) -> None:
    """Defect 3, the other half: attempts against one account from many real addresses (a botnet) are
    counted per username as well, so rotating addresses does not multiply the guesses."""
    get_user_model().objects.create_user(username="dr-lee", password="correct horse battery")
    codes = [_login(APIClient(REMOTE_ADDR=f"192.0.2.{i}"), "dr-lee", "wrong").status_code for i in range(8)]
    assert codes == [400] * 5 + [429] * 3, codes
    assert _login(APIClient(REMOTE_ADDR="192.0.2.99"), "Dr-Lee", "correct horse battery").status_code == 429
    # Another account from those addresses is not locked out by it.
    get_user_model().objects.create_user(username="dr-kim", password="another long secret")
    assert _login(APIClient(REMOTE_ADDR="192.0.2.100"), "dr-kim", "another long secret").status_code == 200


# --- 4. Idempotency-Key -------------------------------------------------------------------------------

def test_4_idempotency_key_is_bound_to_its_request(api, other_api, other_clinician, patient, session,
                                                    no_enqueue) -> None:
    """Defect 4: "Idempotency-Key not bound to its request: the same key used for session 33, then session 34,
    then /api/summarize-sessions returned the session-33 job every time and queued nothing for the others
    (expected: 422/409 for a different body, per the IETF Idempotency-Key draft).\""""
    second = Session.objects.create(patient=patient, session_number=2, session_date=date(2026, 11, 9),
                                    original_transcription=SAMPLE_TRANSCRIPT)
    key = {"HTTP_IDEMPOTENCY_KEY": "key-17"}
    first = api.post(f"/api/sessions/{session.pk}/generate-notes", {}, format="json", **key)
    assert first.status_code == 202
    # The same request again (with or without the trailing slash) is the same job, as before.
    again = api.post(f"/api/sessions/{session.pk}/generate-notes/", {}, format="json", **key)
    assert again.status_code == 202 and again.json()["id"] == first.json()["id"]

    for url, body in ((f"/api/sessions/{second.pk}/generate-notes", {}),
                      (f"/api/sessions/{session.pk}/generate-notes", {"regenerate": True}),
                      ("/api/summarize-sessions", {"patient_id": patient.pk})):
        reused = api.post(url, body, format="json", **key)
        assert reused.status_code == 422, (url, reused.status_code)
        assert error_code(reused) == "idempotency_key_reused"
        assert "Idempotency-Key was already used for a different request" in error_detail(reused)
    assert NoteJob.objects.count() == 1 and len(no_enqueue) == 1
    assert NoteJob.objects.get().idempotency_fingerprint  # stored with the key
    # Keys are per clinician: another clinician's first request with the same key is theirs, not a 422.
    other_patient, _, _ = _other_records(other_clinician)
    theirs = other_api.post("/api/summarize-sessions", {"patient_id": other_patient.pk}, format="json", **key)
    assert theirs.status_code == 202 and theirs.json()["id"] != first.json()["id"]


# --- 5. 500s ------------------------------------------------------------------------------------------

DEEP = "[" * 5000 + "]" * 5000


def test_5a_deeply_nested_json_is_a_400_not_a_500(api, session) -> None:
    """Defect 5: "JSON nested >=1000 levels raises RecursionError in the parser on every JSON endpoint,
    including the unauthenticated token endpoint.\""""
    anonymous = APIClient(raise_request_exception=False)
    calls = [(anonymous, "post", "/api/auth/token", DEEP),
             (anonymous, "post", "/api/auth/token", '{"username": ' + DEEP + ', "password": "x"}'),
             (api, "post", "/api/patients/", DEEP),
             (api, "put", f"/api/sessions/{session.pk}/notes", '{"notes": ' + "[" * 40 + "]" * 40 + "}"),
             (api, "post", f"/api/sessions/{session.pk}/generate-notes", DEEP)]
    api.raise_request_exception = False
    for client, method, url, body in calls:
        response = getattr(client, method)(url, body, content_type="application/json")
        assert response.status_code == 400, (url, response.status_code)
        assert "nested too deeply" in error_detail(response), response.json()
    # Ordinary bodies still parse.
    assert api.put(f"/api/sessions/{session.pk}/notes", {"notes": "fine"}, format="json").status_code == 200


SQLITE_PROBE = r"""
import json, os, sqlite3, sys, threading
from concurrent.futures import ThreadPoolExecutor

import django
django.setup()
from django.core.management import call_command
from django.db import connection
from rest_framework.test import APIClient

call_command("migrate", verbosity=0)
import sessions.services
sessions.services.enqueue_job = lambda job_id: True  # no broker needed: the job rows are what count
from django.contrib.auth import get_user_model
from sessions.auth import issue_api_token
from sessions.models import Patient, Session

user = get_user_model().objects.create_user("sqlite-probe")
key, _ = issue_api_token(user)
patient = Patient.objects.create(clinician=user, display_name="P")
transcript = open(sys.argv[2], encoding="utf-8").read()
ids = [Session.objects.create(patient=patient, session_number=n, session_date="2026-11-01",
                              original_transcription=transcript).pk for n in range(1, 12)]
connection.close()

def post(session_id):
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    try:
        response = client.post(f"/api/sessions/{session_id}/generate-notes", {}, format="json")
        return response.status_code, response.get("Retry-After")
    finally:
        connection.close()

# Another process holds the write lock for longer than the busy timeout.
blocker = sqlite3.connect(sys.argv[1], isolation_level=None)
blocker.execute("BEGIN IMMEDIATE")
locked = post(ids[0])
blocker.execute("ROLLBACK")
blocker.close()
# Ten concurrent submissions: they queue for the write lock instead of failing.
with ThreadPoolExecutor(max_workers=10) as pool:
    concurrent = list(pool.map(post, ids[1:]))
print(json.dumps({"locked": locked, "concurrent": concurrent}))
"""


def test_5b_sqlite_write_contention_is_a_503_with_retry_after_not_a_500(tmp_path) -> None:
    """Defect 5: "10 parallel generate-notes on SQLite gave up to 9 x 500 `database is locked`.\""""
    database = tmp_path / "contention.sqlite3"
    transcript = tmp_path / "transcript.txt"
    transcript.write_text(SAMPLE_TRANSCRIPT, encoding="utf-8")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "THERAPY_NOTES_SQLITE_TIMEOUT": "1",
           "DJANGO_SETTINGS_MODULE": "therapy_notes.settings", "THERAPY_NOTES_JOB_THROTTLE": "1000/min"}
    done = subprocess.run([sys.executable, "-c", SQLITE_PROBE, str(database), str(transcript)], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    status, retry_after = result["locked"]
    assert status == 503 and retry_after is not None and int(retry_after) > 0, result
    assert [code for code, _ in result["concurrent"]] == [202] * 10, result


def test_5c_duplicate_session_number_race_is_a_400_with_the_field_message(api, patient) -> None:
    """Defect 5: "the duplicate-session-number check happens before the insert with no handling of the
    unique-constraint error." A concurrent insert that is not committed yet passes the check; the
    constraint refuses the second insert, and that must be the same field-level 400."""
    inserted, release = threading.Event(), threading.Event()

    def concurrent_request() -> None:
        try:
            with transaction.atomic():
                Session.objects.create(patient=patient, session_number=7, session_date=date(2026, 11, 4))
                inserted.set()
                release.wait(10)  # commit only after the API request has passed its check
        finally:
            connection.close()

    other = threading.Thread(target=concurrent_request)
    other.start()
    assert inserted.wait(10)
    # The API's insert waits on the uncommitted row's index entry; it fails once that row commits.
    threading.Timer(1.0, release.set).start()
    api.raise_request_exception = False
    response = api.post("/api/sessions/", {"patient": patient.pk, "session_number": 7,
                                           "session_date": "2026-11-04"}, format="json")
    other.join(15)
    assert response.status_code == 400, response.content
    assert field_errors(response) == {"session_number": ["Session number 7 already exists for this patient."]}
    assert Session.objects.filter(patient=patient, session_number=7).count() == 1


# --- 6. Tokens after a password change; existence oracle ----------------------------------------------

def test_6a_changing_the_password_revokes_every_api_token(make_clinician) -> None:
    """Defect 6: "Tokens survive a password change.\""""
    user = make_clinician()
    second_key, _ = issue_api_token(user)
    devices = [client_for(user), APIClient()]
    devices[1].credentials(HTTP_AUTHORIZATION=f"Token {second_key}")
    user.first_name = "Unrelated change"
    user.save()
    assert all(device.get("/api/patients/").status_code == 200 for device in devices)

    user.set_password("a new long passphrase")
    user.save()
    assert [device.get("/api/patients/").status_code for device in devices] == [401, 401]
    assert not AuthToken.objects.filter(user=user).exists()

    # Django re-hashing the same password on login (an older hasher) is not a change: tokens stay.
    get_user_model().objects.filter(pk=user.pk).update(
        password=make_password("a new long passphrase", hasher="pbkdf2_sha1"))
    kept_key, _ = issue_api_token(user)
    login = APIClient().post("/api/auth/token", {"username": user.username, "password": "a new long passphrase"},
                             format="json")
    assert login.status_code == 200
    user.refresh_from_db()
    assert user.password.startswith("pbkdf2_sha256$")  # it was re-hashed
    kept = APIClient()
    kept.credentials(HTTP_AUTHORIZATION=f"Token {kept_key}")
    assert kept.get("/api/patients/").status_code == 200

    # Disabling the password (an account locked by an operator) revokes them too.
    user.set_unusable_password()
    user.save()
    assert kept.get("/api/patients/").status_code == 401


def test_6b_filters_do_not_reveal_whether_another_clinicians_record_exists(api, other_clinician, session) -> None:
    """Defect 6: "existence oracle: ?patient=<another clinician's id> -> 200 count 0, ?patient=999 -> 400
    (same for /api/jobs/?session=)." Both now get the same 400, as an unknown id does."""
    other_patient, other_session, _ = _other_records(other_clinician)
    for url, value, missing in (("/api/sessions/", f"patient={other_patient.pk}", "patient=999999"),
                                ("/api/jobs/", f"session={other_session.pk}", "session=999999"),
                                ("/api/jobs/", f"patient={other_patient.pk}", "patient=999999")):
        theirs, nobodys = api.get(f"{url}?{value}"), api.get(f"{url}?{missing}")
        assert theirs.status_code == nobodys.status_code == 400, (url, theirs.status_code, nobodys.status_code)
        assert theirs.json() == nobodys.json(), url
    own = api.get(f"/api/sessions/?patient={session.patient_id}")
    assert own.status_code == 200 and [s["id"] for s in own.json()["results"]] == [session.pk]


# --- 7. Schema, health, CSP, admin session age --------------------------------------------------------

def test_7a_schema_and_docs_require_authentication(api) -> None:
    """Defect 7: "/api/schema/ and /api/docs/ answer without authentication.\""""
    anonymous = APIClient()
    for path in ("/api/schema/", "/api/docs/", "/api/docs/?script=", "/api/redoc/"):
        assert anonymous.get(path).status_code == 401, path
        assert api.get(path).status_code == 200, path


def test_7b_health_shows_no_model_path_host_or_pid_to_anonymous_callers(clinician) -> None:
    """Defect 7: "/health shows model path, host and pid to anyone.\""""
    import socket

    import redis

    from workers import metrics

    metrics.publish(None)  # a worker snapshot (this process's host and pid), as a live worker writes
    try:
        for path in ("/health", "/health/ready"):
            response = Client().get(path)
            body = response.json()
            assert set(body) == {"status", "database", "broker", "model_loaded"}, body
            text = response.content.decode()
            assert django_settings.THERAPY_NOTES_MODEL_PATH not in text and socket.gethostname() not in text
            assert str(os.getpid()) not in text
        # A non-staff token sees the same; staff (token or signed in) get the details.
        assert "workers" not in client_for(clinician).get("/health").json()
        clinician.is_staff = True
        clinician.save()
        detailed = client_for(clinician).get("/health").json()
        assert detailed["configured_model"]["model_path"] == django_settings.THERAPY_NOTES_MODEL_PATH
        assert any(w["pid"] == os.getpid() for w in detailed["workers"])
        signed_in = Client()
        signed_in.force_login(clinician)
        assert "workers" in signed_in.get("/health").json()
    finally:
        redis.Redis.from_url(django_settings.REDIS_URL).delete(
            f"{metrics.KEY_PREFIX}{socket.gethostname()}:{os.getpid()}")


def test_7c_every_response_carries_a_content_security_policy(api, session) -> None:
    """Defect 7: "no Content-Security-Policy.\""""
    staff = Client()
    staff.force_login(get_user_model().objects.create_superuser("csp-admin", "c@example.org", "pw-csp-12345"))
    for client, path in ((Client(), "/health"), (Client(), "/admin/login/"), (api, "/api/patients/"),
                         (staff, "/api/docs/"), (staff, "/admin/"), (Client(), "/static/admin/css/base.css")):
        policy = client.get(path)["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
        assert directives["default-src"] == "'self'", path
        assert directives["script-src"] == "'self'", path  # no inline or third-party script
        assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'", path
    # Swagger UI's start-up script is a file of this origin, not an inline script the policy would block.
    page = staff.get("/api/docs/").content.decode()
    assert "<script>" not in page and 'src="/api/docs/?script="' in page


def test_7d_admin_sessions_are_short_and_end_with_the_browser(settings) -> None:
    """Defect 7: "admin sessions last two weeks.\""""
    assert settings.SESSION_COOKIE_AGE == 8 * 3600 and settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    get_user_model().objects.create_superuser("short-session", "s@example.org", "pw-short-12345")
    browser = Client()
    response = browser.post("/admin/login/?next=/admin/", {"username": "short-session",
                                                            "password": "pw-short-12345"})
    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert not cookie["expires"] and not cookie["max-age"]  # a browser-session cookie
    assert browser.session.get_expiry_age() <= 8 * 3600
    code = "from django.conf import settings; print(settings.SESSION_COOKIE_AGE)"
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                            env={**os.environ, "DJANGO_SETTINGS_MODULE": "therapy_notes.settings",
                                 "THERAPY_NOTES_SESSION_HOURS": "2"})
    assert result.stdout.strip() == "7200", result.stderr
