"""Integration with a clinic's network (issue 16): offline docs, static files, 202 headers, CORS,
health-probe logging, Prometheus metrics and log formats. The worker-backed checks (readiness
following a live worker, metrics and JSON logs of a real job) are in tests/workers/test_operations_worker.py."""

from __future__ import annotations

import json
import logging
import uuid
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from sessions.models import NoteJob, WebhookDelivery, WebhookSubscription
from sessions.views import JOB_RETRY_AFTER_SECONDS
from summarizer.notes import NoteOptions, summarize_single_session
from tests.conftest import SAMPLE_TRANSCRIPT
from tests.summarizer.fakes import ScriptedEngine
from tests.workers.test_log_privacy import _clinical_fragments, _leaks
from therapy_notes.log import JsonFormatter, PlainFormatter

pytestmark = pytest.mark.django_db(transaction=True)

METRICS_TOKEN = "metrics-test-secret"
ALLOWED_ORIGIN = "https://app.example.org"


@pytest.fixture
def staff_client() -> Client:
    # The docs may require a signed-in user: sign in as staff, which any such rule lets through.
    user = get_user_model().objects.create_user(username=f"staff-{uuid.uuid4().hex[:8]}", is_staff=True)
    client = Client()
    client.force_login(user)
    return client


class _Assets(HTMLParser):
    """The URLs a page loads as scripts, stylesheets and icons."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and values.get("src"):
            self.urls.append(values["src"] or "")
        if tag == "link" and values.get("href"):
            self.urls.append(values["href"] or "")


def _assets(html: str) -> list[str]:
    parser = _Assets()
    parser.feed(html)
    return parser.urls


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_api_docs_load_only_local_assets_and_each_is_served(staff_client, path, settings) -> None:
    assert settings.DEBUG is False  # as in production; nothing was collected (no collectstatic in tests)
    page = staff_client.get(path)
    assert page.status_code == 200
    assets = _assets(page.content.decode())
    assert any(url.endswith(".js") for url in assets), assets  # the UI bundle itself is among them
    remote = [url for url in assets if urlsplit(url).scheme or url.startswith("//")]
    assert remote == [], f"the docs page loads from outside: {remote}"
    for url in assets:
        response = staff_client.get(url)
        assert response.status_code == 200, url
        assert len(_body(response)) > 0, url


def test_admin_stylesheet_is_served_with_debug_off(client, settings) -> None:
    assert settings.DEBUG is False
    response = client.get("/static/admin/css/base.css")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    assert b"body" in _body(response)


def test_accepted_job_carries_location_and_retry_after(api, session, patient, no_enqueue) -> None:
    generated = api.post(f"/api/sessions/{session.pk}/generate-notes", {}, format="json")
    summarized = api.post("/api/summarize-sessions", {"patient_id": patient.pk}, format="json")
    for response in (generated, summarized):
        assert response.status_code == 202
        job = response.json()
        assert response["Location"] == job["poll_url"]
        assert urlsplit(response["Location"]).path.rstrip("/") == f"/api/jobs/{job['id']}"
        assert response["Retry-After"] == str(JOB_RETRY_AFTER_SECONDS) and int(response["Retry-After"]) > 0
        polled = api.get(urlsplit(response["Location"]).path)
        assert polled.status_code == 200 and polled.json()["id"] == job["id"]


def _preflight(client: Client, origin: str):
    return client.options("/api/sessions/", HTTP_ORIGIN=origin, HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
                          HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type, idempotency-key")


def test_cors_is_off_by_default(client, settings) -> None:
    assert settings.CORS_ALLOWED_ORIGINS == []  # THERAPY_NOTES_CORS_ORIGINS unset
    response = _preflight(client, ALLOWED_ORIGIN)
    assert "access-control-allow-origin" not in response


def test_cors_preflight_from_an_allowed_origin_only(client, settings, api, session, no_enqueue) -> None:
    settings.CORS_ALLOWED_ORIGINS = [ALLOWED_ORIGIN]
    allowed = _preflight(client, ALLOWED_ORIGIN)
    assert allowed.status_code == 200
    assert allowed["access-control-allow-origin"] == ALLOWED_ORIGIN
    assert {"authorization", "idempotency-key"} <= {
        h.strip() for h in allowed["access-control-allow-headers"].split(",")}
    assert "POST" in allowed["access-control-allow-methods"]
    refused = _preflight(client, "https://elsewhere.example.com")
    assert "access-control-allow-origin" not in refused
    # The real request: the browser app may read the 202's pointers.
    submitted = api.post(f"/api/sessions/{session.pk}/generate-notes", {}, format="json", HTTP_ORIGIN=ALLOWED_ORIGIN)
    assert submitted.status_code == 202 and submitted["access-control-allow-origin"] == ALLOWED_ORIGIN
    assert {"location", "retry-after"} <= {
        h.strip().lower() for h in submitted["access-control-expose-headers"].split(",")}


def test_readiness_503_is_logged_as_a_warning_not_an_error(client, settings, caplog) -> None:
    settings.CELERY_TASK_DEFAULT_QUEUE = f"no-worker-{uuid.uuid4().hex[:8]}"  # nobody consumes it
    caplog.set_level(logging.INFO, logger="django.request")
    assert client.get("/health/ready").status_code == 503
    records = [r for r in caplog.records if r.name == "django.request"]
    assert records and all(r.levelno == logging.WARNING for r in records), [(r.levelname, r.msg) for r in records]
    # Other 5xx still are errors: the filter only lowers the probes'.
    caplog.clear()
    from sessions.probes import ExpectedUnavailableFilter

    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Service Unavailable: %s", ("/x",), None)
    record.status_code = 503
    ExpectedUnavailableFilter().filter(record)
    assert record.levelno == logging.ERROR


def _metrics(client: Client, **headers: str) -> dict[str, object]:
    response = client.get("/metrics", **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain")
    return {family.name: family for family in text_string_to_metric_families(response.content.decode())}


def test_metrics_require_the_bearer_token_or_staff(client, staff_client, api, settings) -> None:
    settings.THERAPY_NOTES_METRICS_TOKEN = METRICS_TOKEN
    anonymous = client.get("/metrics")
    assert anonymous.status_code == 401 and anonymous["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    non_staff = Client()
    non_staff.force_login(get_user_model().objects.create_user(username=f"clin-{uuid.uuid4().hex[:8]}"))
    assert non_staff.get("/metrics").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {METRICS_TOKEN}").status_code == 200
    assert staff_client.get("/metrics").status_code == 200
    settings.THERAPY_NOTES_METRICS_TOKEN = ""  # unset: no token opens it, not even an empty one
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 401


def test_metrics_exposition_parses_and_counts_jobs_and_the_queue(client, settings, session, no_enqueue) -> None:
    from celery import current_app
    from kombu import Connection

    settings.THERAPY_NOTES_METRICS_TOKEN = METRICS_TOKEN
    queue = f"metrics-{uuid.uuid4().hex[:8]}"
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    NoteJob.objects.create(kind="session_note", clinician=session.patient.clinician, session=session,
                           patient=session.patient, base_notes_version=0)
    for _ in range(2):  # two messages nobody consumes, on the real broker
        current_app.send_task("workers.run_note_job", args=[str(uuid.uuid4())], queue=queue)
    try:
        families = _metrics(client, HTTP_AUTHORIZATION=f"Bearer {METRICS_TOKEN}")
    finally:
        with Connection(settings.CELERY_BROKER_URL) as connection:
            connection.default_channel.queue_delete(queue)
    for name in ("therapy_notes_jobs", "therapy_notes_queue_depth", "therapy_notes_broker_up",
                 "therapy_notes_workers_ready", "therapy_notes_worker_jobs", "therapy_notes_worker_fallbacks",
                 "therapy_notes_worker_completion_tokens", "therapy_notes_inference_seconds",
                 "therapy_notes_fallback_ratio", "therapy_notes_tokens_per_second"):
        assert name in families, name
    assert families["therapy_notes_inference_seconds"].type == "histogram"
    jobs = {(s.labels["kind"], s.labels["status"]): s.value for s in families["therapy_notes_jobs"].samples}
    assert jobs[("session_note", "queued")] == 1 and jobs[("multi_session_summary", "failed")] == 0
    [depth] = families["therapy_notes_queue_depth"].samples
    assert depth.labels == {"queue": queue} and depth.value == 2
    [ready] = families["therapy_notes_workers_ready"].samples
    assert ready.value == 0  # nobody consumes that queue
    assert families["therapy_notes_broker_up"].samples[0].value == 1


def test_metrics_count_webhook_deliveries_by_status(client, settings, session) -> None:
    settings.THERAPY_NOTES_METRICS_TOKEN = METRICS_TOKEN
    clinician = session.patient.clinician
    subscription = WebhookSubscription.objects.create(clinician=clinician, url="https://x.example.org/",
                                                      event_types=["job.failed"])
    for status in ("pending", "pending", "succeeded", "failed"):
        job = NoteJob.objects.create(kind="session_note", clinician=clinician, session=session,
                                     patient=session.patient, base_notes_version=0, status="failed")
        WebhookDelivery.objects.create(subscription=subscription, job=job, event="job.failed", payload={},
                                       status=status)
    families = _metrics(client, HTTP_AUTHORIZATION=f"Bearer {METRICS_TOKEN}")
    deliveries = {s.labels["status"]: s.value for s in families["therapy_notes_webhook_deliveries"].samples}
    assert deliveries == {"pending": 2, "succeeded": 1, "failed": 1}


def _inference_record(caplog_records: list[logging.LogRecord]) -> logging.LogRecord:
    [record] = [r for r in caplog_records if getattr(r, "event", None) == "inference"]
    return record


def _log_inference(caplog) -> tuple[logging.LogRecord, str]:
    caplog.set_level(logging.INFO, logger="summarizer.inference")
    outcome = summarize_single_session(ScriptedEngine(text="**Risk:** none reported"), SAMPLE_TRANSCRIPT,
                                       NoteOptions(job_id="job-json-1"))
    return _inference_record(caplog.records), outcome.text


INFERENCE_FIELDS = ("job_id", "kind", "input_chars", "prompt_tokens", "completion_tokens", "seconds",
                    "model_file", "model_sha256", "adapter_file", "fallback", "risk_flags")


def test_json_log_line_parses_keeps_the_inference_fields_and_no_clinical_text(caplog) -> None:
    record, note = _log_inference(caplog)
    line = JsonFormatter().format(record)
    assert "\n" not in line
    data = json.loads(line)
    assert data["message"] == "inference" and data["name"] == "summarizer.inference"
    assert data["levelname"] == "INFO" and data["event"] == "inference"
    for name in INFERENCE_FIELDS:
        assert name in data, name
    assert data["job_id"] == "job-json-1" and data["input_chars"] == len(SAMPLE_TRANSCRIPT)
    assert _leaks(line, _clinical_fragments(SAMPLE_TRANSCRIPT, note)) == []


def test_plain_log_line_keeps_the_inference_fields_too(caplog) -> None:
    record, note = _log_inference(caplog)
    line = PlainFormatter().format(record)
    assert " summarizer.inference inference " in line
    for name in INFERENCE_FIELDS:
        assert f" {name}=" in line, name
    assert _leaks(line, _clinical_fragments(SAMPLE_TRANSCRIPT, note)) == []
