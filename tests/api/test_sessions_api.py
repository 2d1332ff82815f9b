"""REST API: auth, ownership (404 for others), validation (400 with field messages),
overwrite protection (409), job dedupe, notes metadata transitions."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework.test import APIClient

from sessions.models import NoteJob, Session
from tests.errors import error_code, field_errors
from tests.summarizer.fakes import FAKE_IDENTITY

# Transactional so on_commit enqueueing runs as in production (no wrapping test transaction).
pytestmark = pytest.mark.django_db(transaction=True)


def test_every_endpoint_requires_authentication(session) -> None:
    client = APIClient()
    job = NoteJob.objects.create(kind="session_note", clinician=session.patient.clinician, session=session)
    calls = [
        ("get", "/api/patients/", None),
        ("post", "/api/patients/", {"display_name": "x"}),
        ("get", f"/api/patients/{session.patient_id}/", None),
        ("get", "/api/sessions/", None),
        ("get", f"/api/sessions/{session.pk}/", None),
        ("post", f"/api/sessions/{session.pk}/generate-notes", {}),
        ("put", f"/api/sessions/{session.pk}/notes", {"notes": "x"}),
        ("get", f"/api/jobs/{job.pk}/", None),
        ("post", f"/api/jobs/{job.pk}/cancel", None),
        ("post", "/api/summarize-sessions", {"patient_id": session.patient_id}),
        ("post", "/api/auth/logout", None),
        ("post", "/api/auth/logoutall", None),
    ]
    for method, url, body in calls:
        response = getattr(client, method)(url, body, format="json")
        assert response.status_code == 401, (method, url, response.status_code)


def test_patient_crud_is_scoped_to_the_clinician(api, other_api) -> None:
    created = api.post("/api/patients/", {"display_name": "Alex"}, format="json")
    assert created.status_code == 201
    pid = created.data["id"]
    assert api.get(f"/api/patients/{pid}/").data["display_name"] == "Alex"
    assert api.patch(f"/api/patients/{pid}/", {"display_name": "Alex B"}, format="json").status_code == 200
    assert other_api.get(f"/api/patients/{pid}/").status_code == 404
    assert other_api.patch(f"/api/patients/{pid}/", {"display_name": "x"}, format="json").status_code == 404
    assert other_api.get("/api/patients/").data["count"] == 0
    assert api.get("/api/patients/").data["count"] == 1


def test_session_create_validates_fields(api, patient, other_clinician) -> None:
    from sessions.models import Patient

    foreign = Patient.objects.create(clinician=other_clinician, display_name="Not yours")
    bad = api.post("/api/sessions/", {"patient": patient.pk, "session_number": -1, "session_date": "nope"},
                   format="json")
    assert bad.status_code == 400
    assert "session_number" in field_errors(bad) and "session_date" in field_errors(bad)
    foreign_resp = api.post(
        "/api/sessions/", {"patient": foreign.pk, "session_number": 1, "session_date": "2026-11-01"}, format="json"
    )
    assert foreign_resp.status_code == 400 and "patient" in field_errors(foreign_resp)
    ok = api.post("/api/sessions/", {"patient": patient.pk, "session_number": 1, "session_date": "2026-11-01",
                                     "original_transcription": "T: hi\nC: hello"}, format="json")
    assert ok.status_code == 201
    assert ok.data["notes_metadata"] == {
        "is_ai_generated": False, "edited_from_ai": False, "generated_at": None, "last_edited_at": None,
        "stale": False, "attention_reasons": [], "status": "draft", "signed_by": None, "signed_at": None,
        "format": "default",
    }
    dup = api.post("/api/sessions/", {"patient": patient.pk, "session_number": 1, "session_date": "2026-11-01"},
                   format="json")
    assert dup.status_code == 400 and "session_number" in field_errors(dup)


def test_transcript_over_the_size_cap_is_a_400(api, patient, settings) -> None:
    from sessions.serializers import SessionSerializer

    cap = SessionSerializer().fields["original_transcription"].max_length
    body = {"patient": patient.pk, "session_number": 2, "session_date": "2026-11-01",
            "original_transcription": "a" * (cap + 1)}
    response = api.post("/api/sessions/", body, format="json")
    assert response.status_code in (400, 413)
    assert not Session.objects.filter(patient=patient, session_number=2).exists()


def test_other_clinicians_get_404_on_session_endpoints(other_api, session) -> None:
    assert other_api.get(f"/api/sessions/{session.pk}/").status_code == 404
    assert other_api.post(f"/api/sessions/{session.pk}/generate-notes", {}, format="json").status_code == 404
    assert other_api.put(f"/api/sessions/{session.pk}/notes", {"notes": "x"}, format="json").status_code == 404
    assert other_api.get("/api/sessions/").data["count"] == 0
    session.refresh_from_db()
    assert session.notes == ""


def test_generate_notes_returns_202_with_poll_url_and_enqueues(api, session, no_enqueue) -> None:
    response = api.post(f"/api/sessions/{session.pk}/generate-notes", {}, format="json")
    assert response.status_code == 202
    job = response.data
    assert job["status"] == "queued" and job["kind"] == "session_note"
    assert job["poll_url"].endswith(f"/api/jobs/{job['id']}")
    assert no_enqueue == [job["id"]]
    polled = api.get(job["poll_url"])
    assert polled.status_code == 200 and polled.data["id"] == job["id"]


def test_identical_queued_job_is_returned_not_duplicated(api, session, no_enqueue) -> None:
    first = api.post(f"/api/sessions/{session.pk}/generate-notes", {}, format="json")
    second = api.post(f"/api/sessions/{session.pk}/generate-notes", {}, format="json")
    assert first.data["id"] == second.data["id"]
    assert NoteJob.objects.filter(session=session).count() == 1
    assert len(no_enqueue) == 1


def test_idempotency_key_returns_the_same_job(api, session, no_enqueue) -> None:
    headers = {"HTTP_IDEMPOTENCY_KEY": "abc-123"}
    first = api.post(f"/api/sessions/{session.pk}/generate-notes", {}, format="json", **headers)
    NoteJob.objects.filter(pk=first.data["id"]).update(status="succeeded")
    again = api.post(f"/api/sessions/{session.pk}/generate-notes", {}, format="json", **headers)
    assert again.data["id"] == first.data["id"]
    assert len(no_enqueue) == 1


def test_existing_notes_are_protected_with_409(api, session, no_enqueue) -> None:
    session.notes = "Clinician's own note."
    session.save()
    response = api.post(f"/api/sessions/{session.pk}/generate-notes", {"regenerate": False}, format="json")
    assert response.status_code == 409
    assert error_code(response) == "notes_exist"
    assert no_enqueue == []
    session.refresh_from_db()
    assert session.notes == "Clinician's own note."
    assert api.post(f"/api/sessions/{session.pk}/generate-notes", {"regenerate": True},
                    format="json").status_code == 202


def test_generate_notes_rejects_bad_body_with_field_message(api, session, no_enqueue) -> None:
    response = api.post(f"/api/sessions/{session.pk}/generate-notes", {"regenerate": "perhaps"}, format="json")
    assert response.status_code == 400
    assert "regenerate" in field_errors(response)
    assert no_enqueue == []


def test_cancel_only_queued_jobs(api, session, no_enqueue) -> None:
    job_id = api.post(f"/api/sessions/{session.pk}/generate-notes", {}, format="json").data["id"]
    cancelled = api.post(f"/api/jobs/{job_id}/cancel")
    assert cancelled.status_code == 200 and cancelled.data["status"] == "cancelled"
    again = api.post(f"/api/jobs/{job_id}/cancel")
    assert again.status_code == 409


def test_jobs_are_invisible_to_other_clinicians(api, other_api, session, no_enqueue) -> None:
    job_id = api.post(f"/api/sessions/{session.pk}/generate-notes", {}, format="json").data["id"]
    assert other_api.get(f"/api/jobs/{job_id}/").status_code == 404
    assert other_api.post(f"/api/jobs/{job_id}/cancel").status_code == 404
    assert other_api.get("/api/jobs/").data["count"] == 0


def test_notes_metadata_transitions_ai_then_edited_then_regenerated(api, session) -> None:
    from sessions.job_execution import claim_job, store_outcome
    from summarizer.notes import NoteOutcome

    job = NoteJob.objects.create(kind="session_note", clinician=session.patient.clinician, session=session,
                                 patient=session.patient, base_notes_version=session.notes_version)
    claim_job(str(job.pk))
    store_outcome(str(job.pk), NoteOutcome(text="AI note v1", inference_time=1.0, prompt_tokens=10,
                                           completion_tokens=5, model=replace(FAKE_IDENTITY, model_file="m.gguf")))
    meta = api.get(f"/api/sessions/{session.pk}/").data["notes_metadata"]
    assert meta["is_ai_generated"] is True and meta["edited_from_ai"] is False
    assert meta["generated_at"] is not None and meta["last_edited_at"] is None

    same = api.put(f"/api/sessions/{session.pk}/notes", {"notes": "AI note v1"}, format="json")
    assert same.data["notes_metadata"]["edited_from_ai"] is False  # unchanged text is not an edit

    edited = api.put(f"/api/sessions/{session.pk}/notes", {"notes": "Clinician fixed it"}, format="json")
    assert edited.status_code == 200
    meta = edited.data["notes_metadata"]
    assert meta["is_ai_generated"] is True and meta["edited_from_ai"] is True
    assert meta["last_edited_at"] is not None

    session.refresh_from_db()
    job2 = NoteJob.objects.create(kind="session_note", clinician=session.patient.clinician, session=session,
                                  patient=session.patient, base_notes_version=session.notes_version)
    claim_job(str(job2.pk))
    store_outcome(str(job2.pk), NoteOutcome(text="AI note v2", inference_time=1.0, prompt_tokens=10,
                                            completion_tokens=5, model=replace(FAKE_IDENTITY, model_file="m.gguf")))
    data = api.get(f"/api/sessions/{session.pk}/").data
    assert data["notes"] == "AI note v2"
    assert data["notes_metadata"]["edited_from_ai"] is False
    assert data["notes_metadata"]["last_edited_at"] is None


def test_put_notes_validates_and_ignores_provenance_flags(api, session) -> None:
    bad = api.put(f"/api/sessions/{session.pk}/notes", {"is_ai_generated": "maybe"}, format="json")
    assert bad.status_code == 400 and "notes" in field_errors(bad)
    # Provenance is the server's record of what happened (issue 17, defect 1): flags in the body are ignored.
    ok = api.put(f"/api/sessions/{session.pk}/notes",
                 {"notes": "Pasted from elsewhere", "is_ai_generated": True, "edited_from_ai": True}, format="json")
    assert ok.status_code == 200
    assert ok.data["notes_metadata"]["is_ai_generated"] is False
    assert ok.data["notes_metadata"]["edited_from_ai"] is False


def test_summarize_sessions_validation_and_202(api, other_api, patient, session, no_enqueue) -> None:
    Session.objects.create(patient=patient, session_number=2, session_date=date(2026, 11, 9),
                           original_transcription="T: hi\nC: better this week")
    missing = api.post("/api/summarize-sessions", {"patient_id": patient.pk, "session_ids": [999999]},
                       format="json")
    assert missing.status_code == 400 and "session_ids" in field_errors(missing)
    no_patient = api.post("/api/summarize-sessions", {}, format="json")
    assert no_patient.status_code == 400 and "patient_id" in field_errors(no_patient)
    foreign = other_api.post("/api/summarize-sessions", {"patient_id": patient.pk}, format="json")
    assert foreign.status_code == 400 and "patient_id" in field_errors(foreign)
    ok = api.post("/api/summarize-sessions", {"patient_id": patient.pk}, format="json")
    assert ok.status_code == 202 and ok.data["kind"] == "multi_session_summary"
    dup = api.post("/api/summarize-sessions", {"patient_id": patient.pk}, format="json")
    assert dup.data["id"] == ok.data["id"]
    subset = api.post("/api/summarize-sessions", {"patient_id": patient.pk, "session_ids": [session.pk]},
                      format="json")
    assert subset.status_code == 202 and subset.data["id"] != ok.data["id"]


def test_openapi_schema_and_docs_are_served(api) -> None:
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"] if hasattr(schema, "json") else {}
    assert "/api/sessions/{id}/generate-notes/" in paths
    assert api.get("/api/docs/").status_code == 200


def test_health_reports_database_and_broker(client) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] is True and body["broker"] is True
    assert "configured_model" not in body  # details are for staff (issue 17, defect 7)
    client.force_login(get_user_model().objects.create_user("ops", is_staff=True))
    assert client.get("/health").json()["configured_model"]["file_exists"] is True


def test_pending_suggestion_when_notes_edited_while_job_ran(session) -> None:
    from sessions.job_execution import claim_job, store_outcome
    from sessions.services import update_session_notes
    from summarizer.notes import NoteOutcome

    job = NoteJob.objects.create(kind="session_note", clinician=session.patient.clinician, session=session,
                                 patient=session.patient, base_notes_version=session.notes_version)
    claim_job(str(job.pk))
    update_session_notes(session, notes="Typed by the clinician meanwhile")
    store_outcome(str(job.pk), NoteOutcome(text="AI text", inference_time=1.0, prompt_tokens=1,
                                           completion_tokens=1, model=FAKE_IDENTITY))
    session.refresh_from_db()
    job.refresh_from_db()
    assert session.notes == "Typed by the clinician meanwhile"
    assert job.status == "succeeded"
    assert job.result["pending_suggestion"] is True and job.result["generated_notes"] == "AI text"
    assert timezone.now() >= job.finished_at
