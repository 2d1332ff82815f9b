"""The admin's session change form: an edit there follows the same rules as PUT .../notes (issue 14,
part 0): provenance set by the system, the notes version bumped so a running job keeps the edit, and
a transcript the clinician did not touch left byte for byte as it was."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from sessions import services
from sessions.job_execution import claim_job, store_outcome
from sessions.models import Session
from summarizer.notes import NoteOutcome
from tests.summarizer.fakes import FAKE_IDENTITY

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def admin_client() -> Client:
    user = get_user_model().objects.create_superuser("reviewer", "r@example.org", "pw-12345-long")
    client = Client()
    client.force_login(user)
    return client


def _post(client: Client, session: Session, **changes: str) -> int:
    """Submit the change form as a browser does: every field, textareas with CRLF line endings."""
    data = {
        "patient": str(session.patient_id), "session_number": str(session.session_number),
        "session_date": session.session_date.isoformat(),
        "original_transcription": session.original_transcription.replace("\n", "\r\n"),
        "notes": session.notes.replace("\n", "\r\n"),
        "jobs-TOTAL_FORMS": "0", "jobs-INITIAL_FORMS": "0", "jobs-MIN_NUM_FORMS": "0", "jobs-MAX_NUM_FORMS": "0",
        **changes,
    }
    response = client.post(f"/admin/therapy_sessions/session/{session.pk}/change/", data)
    return response.status_code


def _ai_note(session: Session, text: str = "**Risk:** None.\nAI draft") -> None:
    job = services.submit_session_note_job(clinician=session.patient.clinician, session=session,
                                           regenerate=True).job
    claim_job(str(job.pk))
    store_outcome(str(job.pk), NoteOutcome(text=text, inference_time=1, prompt_tokens=1, completion_tokens=1,
                                           model=FAKE_IDENTITY), session.transcript_sha256)


def test_an_admin_edit_of_an_ai_note_is_recorded_as_an_edit(admin_client, session, no_enqueue) -> None:
    _ai_note(session)
    session.refresh_from_db()
    before = session.notes_version
    assert _post(admin_client, session, notes="Clinician's corrected note") == 302
    session.refresh_from_db()
    assert session.notes == "Clinician's corrected note"
    assert session.notes_edited_from_ai and session.notes_last_edited_at is not None
    assert session.notes_version == before + 1


def test_saving_the_form_unchanged_rewrites_nothing(admin_client, session, no_enqueue) -> None:
    _ai_note(session, "line one\nline two")
    session.refresh_from_db()
    transcript, version = session.original_transcription, session.notes_version
    assert "\r" not in transcript
    assert _post(admin_client, session) == 302  # the browser sent CRLF everywhere
    session.refresh_from_db()
    assert session.original_transcription == transcript  # byte for byte: no CRLF rewrite
    assert session.notes == "line one\nline two" and session.notes_version == version
    assert not session.notes_edited_from_ai


def test_provenance_cannot_be_typed_in(admin_client, session, no_enqueue) -> None:
    _ai_note(session)
    session.refresh_from_db()
    assert _post(admin_client, session, notes_is_ai_generated="", notes_edited_from_ai="on") == 302
    session.refresh_from_db()
    assert session.notes_is_ai_generated and not session.notes_edited_from_ai
    page = admin_client.get(f"/admin/therapy_sessions/session/{session.pk}/change/").content.decode()
    assert 'name="notes_is_ai_generated"' not in page and 'name="notes_edited_from_ai"' not in page


def test_a_job_finishing_after_an_admin_edit_keeps_the_edit(admin_client, session, no_enqueue) -> None:
    job = services.submit_session_note_job(clinician=session.patient.clinician, session=session,
                                           regenerate=True).job
    claim_job(str(job.pk))
    assert _post(admin_client, session, notes="Written by the clinician while the job ran") == 302
    store_outcome(str(job.pk), NoteOutcome(text="AI text", inference_time=1, prompt_tokens=1, completion_tokens=1,
                                           model=FAKE_IDENTITY), session.transcript_sha256)
    session.refresh_from_db()
    job.refresh_from_db()
    assert session.notes == "Written by the clinician while the job ran"
    assert job.result["applied"] is False and job.result["pending_suggestion"] is True


def test_an_admin_transcript_edit_is_saved_and_marks_the_notes_stale(admin_client, session, no_enqueue) -> None:
    _ai_note(session)
    session.refresh_from_db()
    edited = session.original_transcription + "\nPatient: One more thing I forgot to say."
    assert _post(admin_client, session, original_transcription=edited.replace("\n", "\r\n")) == 302
    session.refresh_from_db()
    assert session.original_transcription == edited and session.notes_stale


def test_the_session_page_says_which_notes_were_a_fallback_or_a_suggestion(admin_client, session,
                                                                           no_enqueue) -> None:
    from sessions.job_execution import execute_job
    from tests.summarizer.fakes import timing_out_engine

    first = services.submit_session_note_job(clinician=session.patient.clinician, session=session,
                                             regenerate=True).job
    execute_job(str(first.pk), timing_out_engine())  # the model timed out: an extractive note
    second = services.submit_session_note_job(clinician=session.patient.clinician, session=session,
                                              regenerate=True).job
    claim_job(str(second.pk))
    services.update_session_notes(session, notes="Clinician edit while the second job ran")
    store_outcome(str(second.pk), NoteOutcome(text="AI text", inference_time=1, prompt_tokens=1,
                                              completion_tokens=1, model=FAKE_IDENTITY), session.transcript_sha256)
    page = admin_client.get(f"/admin/therapy_sessions/session/{session.pk}/change/").content.decode()
    assert "extractive fallback (timeout" in page
    assert "suggestion, not applied" in page and "applied to the notes" in page


def test_signed_notes_are_read_only_in_the_admin(admin_client, session, clinician, no_enqueue) -> None:
    services.update_session_notes(session, notes="Signed record")
    services.sign_session_notes(session, clinician)
    session.refresh_from_db()
    page = admin_client.get(f"/admin/therapy_sessions/session/{session.pk}/change/").content.decode()
    assert 'name="notes"' not in page and "Signed record" in page
    assert _post(admin_client, session, notes="Tampered") == 302
    session.refresh_from_db()
    assert session.notes == "Signed record"
