"""The real path: HTTP (live server) → Redis → Celery worker process with the bundled GGUF → PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from sessions.models import NoteJob, Session
from tests.conftest import wait_for_job

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture(scope="module")
def worker(start_worker):
    return start_worker()


def _post(live_server, user, path: str, body: dict) -> requests.Response:
    return requests.post(f"{live_server.url}{path}", json=body, timeout=30,
                         headers={"Authorization": f"Token {user.api_token}"})


def test_generate_notes_through_http_redis_worker_and_database(
    live_server, worker, use_queue, clinician, session
) -> None:
    use_queue(worker)
    response = _post(live_server, clinician, f"/api/sessions/{session.pk}/generate-notes", {})
    assert response.status_code == 202, response.text
    job = wait_for_job(response.json()["id"])
    assert job.status == NoteJob.Status.SUCCEEDED, job.error_message
    session.refresh_from_db()
    assert session.notes == job.result["generated_notes"]
    assert "**Chief Complaint:**" in session.notes and "**Plan:**" in session.notes
    assert session.notes_is_ai_generated is True and session.notes_edited_from_ai is False
    assert session.notes_generated_at is not None
    assert job.attempts == 1 and job.started_at and job.finished_at
    # The registry's choice: after fetch_model, the adapter merged into the weights; either way the job
    # names the adapter that wrote the note.
    from workers.model_selection import resolve_model_selection

    assert job.model_file == Path(resolve_model_selection().model_path).name
    assert job.model_adapter == "smollm2-notes-lora-f16.gguf"
    assert len(job.model_sha256) == 64
    assert job.prompt_version and job.prompt_tokens > 0 and job.inference_seconds > 0
    polled = requests.get(f"{live_server.url}/api/jobs/{job.pk}/", timeout=30,
                          headers={"Authorization": f"Token {clinician.api_token}"}).json()
    assert polled["status"] == "succeeded"
    assert polled["result"]["generated_notes"] == session.notes
    assert polled["model_identity"]["model_sha256"] == job.model_sha256


def test_multi_session_summary_through_the_worker(
    live_server, worker, use_queue, clinician, session
) -> None:
    from datetime import date

    use_queue(worker)
    Session.objects.create(patient=session.patient, session_number=2, session_date=date(2026, 11, 9),
                           original_transcription="T: How did the wind-down routine go?\nC: Better. I slept "
                           "six hours most nights and asked my manager about priorities.")
    response = _post(live_server, clinician, "/api/summarize-sessions", {"patient_id": session.patient_id})
    assert response.status_code == 202, response.text
    job = wait_for_job(response.json()["id"])
    assert job.status == NoteJob.Status.SUCCEEDED, job.error_message
    result = job.result
    assert result["session_count"] == 2
    assert isinstance(result["key_points"], list)
    assert result["total_text_length"] > 0 and result["inference_time"] > 0
    assert "**Latest Session:**" in result["summary"]


def test_timed_out_generation_fails_and_keeps_existing_notes(
    live_server, start_worker, use_queue, clinician, session
) -> None:
    slow = start_worker(THERAPY_NOTES_GENERATION_TIMEOUT="0.05", THERAPY_NOTES_ON_MODEL_FAILURE="fail")
    use_queue(slow)
    session.notes = "Existing clinician note."
    session.save()
    response = _post(live_server, clinician, f"/api/sessions/{session.pk}/generate-notes", {"regenerate": True})
    assert response.status_code == 202
    job = wait_for_job(response.json()["id"])
    assert job.status == NoteJob.Status.FAILED
    assert "timeout" in job.error_message.lower() or "exceeded" in job.error_message.lower()
    session.refresh_from_db()
    assert session.notes == "Existing clinician note."
    assert session.notes_is_ai_generated is False


def test_a_critical_risk_reaches_the_note_through_the_real_queue(
    live_server, worker, use_queue, clinician, session
) -> None:
    """The risk-safety regression (issue 11) end to end, with the real model writing whatever it writes."""
    from tests.summarizer.test_risk_truth import JORDAN

    use_queue(worker)
    session.original_transcription = JORDAN
    session.save()
    response = _post(live_server, clinician, f"/api/sessions/{session.pk}/generate-notes", {})
    assert response.status_code == 202, response.text
    job = wait_for_job(response.json()["id"])
    assert job.status == NoteJob.Status.SUCCEEDED, job.error_message
    risk = job.result["generated_notes"].split("**Risk:**", 1)[1].split("**Intervention:**", 1)[0]
    assert risk.strip().startswith("{{RED:CRITICAL RISK - active suicidal ideation")
    assert "looked up how many of my sleeping pills it would take" in risk
    assert "none" not in risk.lower()
    assert job.result["needs_attention"] is True and job.result["risk_screening"]["performed"] is True
    assert any(flag["severity"] == "critical" and flag["current"] for flag in job.result["risk_flags"])
    session.refresh_from_db()
    assert session.needs_attention and session.notes == job.result["generated_notes"]


def test_the_worker_writes_each_statements_evidence_into_the_job_result(
    live_server, worker, use_queue, clinician, session
) -> None:
    use_queue(worker)
    response = _post(live_server, clinician, f"/api/sessions/{session.pk}/generate-notes", {})
    assert response.status_code == 202, response.text
    job = wait_for_job(response.json()["id"])
    assert job.status == NoteJob.Status.SUCCEEDED, job.error_message
    evidence = job.result["evidence"]
    assert evidence and {item["section"] for item in evidence} <= {
        "Chief Complaint", "Emotional State", "Risk", "Intervention", "Plan"}
    transcript = session.original_transcription
    for item in evidence:
        assert 0.0 <= item["support"] <= 1.0
        for start, end in item["spans"]:
            assert 0 <= start < end <= len(transcript)
    removed = {claim["text"] for claim in job.result["unsupported_claims"]}
    assert all(not item["supported"] for item in evidence if item["text"] in removed)
