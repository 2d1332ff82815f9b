"""The OpenAPI document is the API's contract: every response the API gives validates against it.

Two halves. Schemathesis generates requests for every operation of the generated schema (valid and
invalid data) and checks each response: no 5xx, a documented status, content type and headers, and a
body that validates against the documented schema (``response_schema_conformance``), error bodies
included. A tour then drives every operation through the states random data rarely reaches (a finished
note job with its full result, a summary job, signed notes, each 409/422/413/415/429...) and validates
those responses against the same schema.

Requests go through the real Django WSGI application, the real PostgreSQL and the real middleware.
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, given, settings
from rest_framework.throttling import ScopedRateThrottle
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from werkzeug.test import Client

from sessions.job_execution import execute_job
from sessions.models import NoteJob, Patient, Session
from tests.conftest import SAMPLE_TRANSCRIPT
from tests.summarizer.fakes import ScriptedEngine

# Real commits: the WSGI requests run Django's request cycle (which closes connections between requests).
pytestmark = pytest.mark.django_db(transaction=True)

NOTE = ("**Chief Complaint:** Work stress and poor sleep.\n**Emotional State:** Anxious, tearful at times.\n"
        "**Risk:** Denies suicidal ideation.\n**Intervention:** Thought record on the Monday meeting.\n"
        "**Plan:** Sleep diary; review next week.")
CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def seeded(make_clinician, monkeypatch) -> dict[str, Any]:
    """A clinician with a patient and a session (ids the fuzzer can hit), no broker traffic."""
    monkeypatch.setattr("sessions.services.enqueue_job", lambda job_id: True)
    monkeypatch.setattr("sessions.webhook_events.enqueue_webhook_delivery", lambda delivery_id: True)
    cache.clear()  # throttle counters of earlier tests
    user = make_clinician()
    patient = Patient.objects.create(clinician=user, display_name="Contract patient")
    session = Session.objects.create(patient=patient, session_number=1, session_date=date(2026, 11, 2),
                                     original_transcription=SAMPLE_TRANSCRIPT)
    return {"user": user, "headers": {"Authorization": f"Token {user.api_token}"},
            "patient": patient, "session": session}


@pytest.fixture
def api_schema(seeded):
    return schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application(),
                                          headers=seeded["headers"])


schema = schemathesis.pytest.from_fixture("api_schema")


# The logout operations would revoke the fuzzer's own token mid-run.
@schema.exclude(path_regex="^/api/auth/logout").parametrize()
@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_generated_request_gets_a_response_the_schema_describes(case, seeded) -> None:
    case.call_and_validate(headers=seeded["headers"], checks=CHECKS)


def test_negative_data_gets_the_documented_error_body(api_schema, seeded) -> None:
    """Invalid data (wrong types, missing fields, out-of-range page sizes) on every write and list: each
    answer is a documented 4xx whose body is the one error shape."""
    for operation in api_schema.get_all_operations():
        op = operation.ok()
        inputs = len(op.body) + len(op.query) + len(op.path_parameters)
        if op.path.startswith("/api/auth/logout") or not inputs:
            continue  # logout would revoke the fuzzer's token; no input: nothing to make invalid

        @given(case=op.as_strategy(generation_mode=GenerationMode.NEGATIVE))
        @settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
        def run(case: Any) -> None:
            case.call_and_validate(headers=seeded["headers"], checks=CHECKS)

        run()


class Tour:
    """Calls the real WSGI app and validates every answer against the operation the schema documents."""

    def __init__(self, api_schema: Any, headers: dict[str, str]) -> None:
        self.schema = api_schema
        self.client = Client(get_wsgi_application())
        self.headers = headers
        self.seen: set[tuple[str, str, int]] = set()

    def call(self, method: str, path: str, template: str, body: Any = None, expect: int | None = None,
             headers: dict[str, str] | None = None, raw: bytes | None = None, content_type: str = "",
             documented_as: str = "") -> Any:
        all_headers = {**self.headers, **(headers or {})}
        kwargs: dict[str, Any] = {"headers": all_headers}
        if raw is not None:
            kwargs.update(data=raw, content_type=content_type or "application/json")
        elif body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/json")
        response = self.client.open(path, method=method, **kwargs)
        assert expect is None or response.status_code == expect, (method, path, response.status_code,
                                                                  response.get_data(as_text=True)[:500])
        # A method the path does not have (405) is validated against the 405 the path's operations document.
        operation = self.schema[template][documented_as or method]
        found = re.match(r"/api/[a-z-]+/([^/?]+)", path) if "{id}" in template else None
        case = operation.Case(headers=all_headers, path_parameters={"id": found.group(1)} if found else {})
        case.validate_response(response, checks=CHECKS)
        self.seen.add((method, template, response.status_code))
        return response.get_json(silent=True)


def test_every_operation_in_every_state_validates_against_the_schema(api_schema, seeded, settings,
                                                                    monkeypatch) -> None:
    settings.THERAPY_NOTES_MAX_PAGE_SIZE = 200
    tour = Tour(api_schema, seeded["headers"])
    sid, pid = seeded["session"].pk, seeded["patient"].pk
    s, j = "/api/sessions/{id}/", "/api/jobs/{id}/"

    tour.call("GET", "/api/patients/", "/api/patients/", expect=200)
    tour.call("GET", "/api/patients/?page_size=1", "/api/patients/", expect=200)
    tour.call("GET", "/api/patients/?page_size=0", "/api/patients/", expect=400)
    tour.call("GET", "/api/patients/?page_size=201", "/api/patients/", expect=400)
    tour.call("GET", "/api/patients/?page=9", "/api/patients/", expect=404)
    created = tour.call("POST", "/api/patients/", "/api/patients/", {"display_name": "Second"}, expect=201)
    tour.call("POST", "/api/patients/", "/api/patients/", {"display_name": 3}, expect=400)
    tour.call("POST", "/api/patients/", "/api/patients/", raw=b"{not json", expect=400)
    tour.call("POST", "/api/patients/", "/api/patients/", raw=b"a=b", content_type="text/plain", expect=415)
    tour.call("PATCH", f"/api/patients/{created['id']}/", "/api/patients/{id}/", {"display_name": "2nd"}, expect=200)
    tour.call("GET", "/api/patients/999999/", "/api/patients/{id}/", expect=404)
    tour.call("DELETE", f"/api/patients/{pid}/", "/api/patients/{id}/", expect=405,
              documented_as="GET")
    tour.call("GET", "/api/sessions/", "/api/sessions/", expect=200)
    tour.call("GET", f"/api/sessions/?patient={pid}", "/api/sessions/", expect=200)
    tour.call("GET", "/api/sessions/?patient=999999", "/api/sessions/", expect=400)
    tour.call("POST", "/api/sessions/", "/api/sessions/", {"patient": pid, "session_number": 1,
                                                           "session_date": "2026-11-02"}, expect=400)
    tour.call("GET", f"/api/sessions/{sid}/", s, expect=200)
    tour.call("GET", "/api/profile", "/api/profile", expect=200)
    tour.call("PUT", "/api/profile", "/api/profile", {"note_format": "nope"}, expect=400)
    tour.call("PUT", "/api/profile", "/api/profile", {"note_format": "default"}, expect=200)

    # Webhook subscriptions: the secret in the create and rotate answers only, the delivery log, 404s.
    w = "/api/webhooks/{id}/"
    hook = tour.call("POST", "/api/webhooks/", "/api/webhooks/", {"url": "https://hooks.example.org/notes"},
                     expect=201)
    assert hook["secret"]
    tour.call("POST", "/api/webhooks/", "/api/webhooks/", {"url": "ftp://hooks.example.org/"}, expect=400)
    tour.call("POST", "/api/webhooks/", "/api/webhooks/", {"url": "https://x.org/", "event_types": ["no"]},
              expect=400)
    tour.call("GET", "/api/webhooks/", "/api/webhooks/", expect=200)
    tour.call("GET", f"/api/webhooks/{hook['id']}/", w, expect=200)
    tour.call("PATCH", f"/api/webhooks/{hook['id']}/", w, {"include_content": True}, expect=200)
    tour.call("PUT", f"/api/webhooks/{hook['id']}/", w, {"url": "https://hooks.example.org/v2",
                                                         "event_types": ["job.succeeded"]}, expect=200)
    tour.call("POST", f"/api/webhooks/{hook['id']}/rotate-secret", w + "rotate-secret/", expect=200)
    tour.call("GET", "/api/webhooks/999999/", w, expect=404)
    tour.call("GET", "/api/webhooks/999999/deliveries/", w + "deliveries/", expect=404)
    tour.call("DELETE", "/api/webhooks/999999/", w, expect=404)

    # A note job: 202, the duplicate, progress, the finished result with every field.
    job = tour.call("POST", f"/api/sessions/{sid}/generate-notes", s + "generate-notes/", {}, expect=202,
                    headers={"Idempotency-Key": "k1"})
    tour.call("POST", f"/api/sessions/{sid}/generate-notes", s + "generate-notes/", {"regenerate": "x"}, expect=400)
    tour.call("POST", f"/api/sessions/{sid}/generate-notes", s + "generate-notes/", {}, expect=202)
    tour.call("POST", f"/api/sessions/{sid}/generate-notes", s + "generate-notes/", {"format": "soap"}, expect=422,
              headers={"Idempotency-Key": "k1"})
    tour.call("GET", f"/api/jobs/{job['id']}/", j, expect=200)
    tour.call("POST", f"/api/jobs/{job['id']}/cancel", j + "cancel/", expect=200)
    tour.call("POST", f"/api/jobs/{job['id']}/cancel", j + "cancel/", expect=409)
    job = tour.call("POST", f"/api/sessions/{sid}/generate-notes", s + "generate-notes/", {}, expect=202)
    execute_job(job["id"], ScriptedEngine(text=NOTE))
    finished = tour.call("GET", f"/api/jobs/{job['id']}/", j, expect=200)
    assert finished["status"] == "succeeded" and finished["result"]["generated_notes"]
    assert finished["result"]["evidence"] and "risk_screening" in finished["result"]
    documented = set(api_schema.raw_schema["components"]["schemas"]["JobResult"]["properties"])
    assert set(finished["result"]) <= documented, set(finished["result"]) - documented
    log = tour.call("GET", f"/api/webhooks/{hook['id']}/deliveries/", w + "deliveries/", expect=200)
    assert [(item["event"], item["job"]) for item in log["results"]] == [("job.succeeded", job["id"])]
    tour.call("GET", "/api/jobs/", "/api/jobs/", expect=200)
    tour.call("GET", "/api/jobs/?status=succeeded&page_size=2", "/api/jobs/", expect=200)
    tour.call("GET", "/api/jobs/?status=", "/api/jobs/", expect=400)
    tour.call("GET", "/api/jobs/00000000-0000-0000-0000-000000000000/", j, expect=404)
    tour.call("POST", f"/api/jobs/{job['id']}/accept-suggestion", j + "accept-suggestion/", expect=409)
    tour.call("POST", f"/api/sessions/{sid}/generate-notes", s + "generate-notes/", {}, expect=409)

    # The notes' lifecycle and the exports.
    tour.call("GET", f"/api/sessions/{sid}/export/fhir", s + "export/fhir/", expect=409)
    tour.call("PUT", f"/api/sessions/{sid}/notes", s + "notes/", {"notes": NOTE + " Edited."}, expect=200)
    tour.call("PUT", f"/api/sessions/{sid}/notes", s + "notes/", {}, expect=400)
    tour.call("POST", f"/api/sessions/{sid}/confirm-notes", s + "confirm-notes/", expect=200)
    tour.call("POST", f"/api/sessions/{sid}/amend", s + "amend/", {"notes": "x", "reason": "y"}, expect=409)
    tour.call("POST", f"/api/sessions/{sid}/sign", s + "sign/", expect=200)
    tour.call("POST", f"/api/sessions/{sid}/sign", s + "sign/", expect=409)
    tour.call("PUT", f"/api/sessions/{sid}/notes", s + "notes/", {"notes": "changed"}, expect=409)
    tour.call("POST", f"/api/sessions/{sid}/amend", s + "amend/", {"notes": "x"}, expect=400)
    tour.call("POST", f"/api/sessions/{sid}/amend", s + "amend/", {"notes": NOTE, "reason": "typo"}, expect=200)
    tour.call("GET", f"/api/sessions/{sid}/export/fhir", s + "export/fhir/", expect=200)

    # A multi-session summary job, finished.
    summary = tour.call("POST", "/api/summarize-sessions", "/api/summarize-sessions", {"patient_id": pid},
                        expect=202)
    tour.call("POST", "/api/summarize-sessions", "/api/summarize-sessions", {"patient_id": pid,
                                                                            "session_ids": [999999]}, expect=400)
    execute_job(summary["id"], ScriptedEngine(text=NOTE))
    done = tour.call("GET", f"/api/jobs/{summary['id']}/", j, expect=200)
    assert done["status"] == "succeeded" and "summary" in done["result"]
    assert set(done["result"]) <= documented, set(done["result"]) - documented

    tour.call("DELETE", f"/api/webhooks/{hook['id']}/", w, expect=204)

    # Authentication, size and rate limits.
    tour.call("GET", "/api/jobs/", "/api/jobs/", headers={"Authorization": "Token nope"}, expect=401)
    tour.call("POST", "/api/auth/token", "/api/auth/token", {"username": "x", "password": "y"}, expect=400)
    tour.call("POST", "/api/patients/", "/api/patients/", raw=b" " * (2 * 1024 * 1024 + 1), expect=413)
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"job_submit": "1/min"})
    cache.clear()
    statuses = set()
    for _ in range(3):
        response = tour.client.post("/api/summarize-sessions", headers=seeded["headers"],
                                    data=json.dumps({"patient_id": pid}), content_type="application/json")
        statuses.add(response.status_code)
        api_schema["/api/summarize-sessions"]["POST"].Case(headers=seeded["headers"]).validate_response(
            response, checks=CHECKS)
    assert 429 in statuses
    assert NoteJob.objects.filter(status=NoteJob.Status.SUCCEEDED).count() == 2
