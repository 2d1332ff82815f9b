"""A note always describes the transcript it was made from; an empty transcript is a 400 at submit."""

from __future__ import annotations

import pytest

from sessions import services
from sessions.job_execution import execute_job
from sessions.models import NoteJob, Session
from tests.errors import error_code, field_errors
from tests.summarizer.fakes import ScriptedEngine

pytestmark = pytest.mark.django_db(transaction=True)

NOTE = ("**Chief Complaint:** Work stress.\n**Emotional State:** Anxious.\n**Risk:** None reported.\n"
        "**Intervention:** Thought record.\n**Plan:** Review next week.")
SUICIDE_PLAN = "\nPatient: My plan is to drive my car off the bridge on Sunday after church."


class EditingEngine(ScriptedEngine):
    """Edits the session's transcript while 'generating', as a clinician's PATCH would."""

    session_id: int = 0

    def generate(self, messages, **kwargs):
        session = Session.objects.get(pk=self.session_id)
        session.original_transcription += SUICIDE_PLAN
        session.save()
        return super().generate(messages, **kwargs)


@pytest.mark.parametrize("transcript", ["", "   \n\t ", "Patient: hi there", "Therapist:\nPatient:\n"])
def test_generate_notes_on_a_transcript_without_speech_is_a_400_with_a_field_message(
    api, session, no_enqueue, transcript: str
) -> None:
    session.original_transcription = transcript
    session.save()
    response = api.post(f"/api/sessions/{session.pk}/generate-notes", {}, format="json")
    assert response.status_code == 400
    assert "no speech content" in field_errors(response)["original_transcription"][0]
    assert no_enqueue == [] and not NoteJob.objects.exists()


def test_a_transcript_edited_while_the_job_ran_keeps_the_result_as_a_stale_suggestion(
    session, no_enqueue
) -> None:
    outcome = services.submit_session_note_job(clinician=session.patient.clinician, session=session,
                                               regenerate=False)
    engine = EditingEngine(text=NOTE)
    engine.session_id = session.pk
    execute_job(str(outcome.job.pk), engine)
    job = NoteJob.objects.get(pk=outcome.job.pk)
    session.refresh_from_db()
    assert job.status == "succeeded" and job.result["applied"] is False and job.result["stale"] is True
    assert job.result["pending_suggestion"] is True and "transcript changed" in job.result["message"]
    assert session.notes == "" and session.notes_version == 0 and session.risk_flags == []
    assert job.transcript_sha256 and job.transcript_sha256 != session.transcript_sha256


def test_editing_the_transcript_after_the_note_marks_it_stale_until_confirmed(
    api, session, no_enqueue
) -> None:
    outcome = services.submit_session_note_job(clinician=session.patient.clinician, session=session,
                                               regenerate=False)
    execute_job(str(outcome.job.pk), ScriptedEngine(text=NOTE))
    body = api.get(f"/api/sessions/{session.pk}/").json()
    assert body["notes"] and body["notes_metadata"]["stale"] is False
    patched = api.patch(f"/api/sessions/{session.pk}/",
                        {"original_transcription": session.original_transcription + SUICIDE_PLAN}, format="json")
    assert patched.status_code == 200
    assert patched.json()["notes_metadata"]["stale"] is True and patched.json()["needs_attention"] is True
    confirmed = api.post(f"/api/sessions/{session.pk}/confirm-notes", {}, format="json")
    assert confirmed.status_code == 200 and confirmed.json()["notes_metadata"]["stale"] is False


def test_confirming_a_session_without_notes_is_a_409(api, session) -> None:
    response = api.post(f"/api/sessions/{session.pk}/confirm-notes", {}, format="json")
    assert response.status_code == 409 and error_code(response) == "no_notes"


def test_confirm_notes_of_another_clinicians_session_is_a_404(other_api, session) -> None:
    assert other_api.post(f"/api/sessions/{session.pk}/confirm-notes", {}, format="json").status_code == 404


def test_a_clinicians_edit_is_made_against_the_current_transcript(api, session) -> None:
    session.original_transcription += SUICIDE_PLAN
    session.save()
    response = api.put(f"/api/sessions/{session.pk}/notes", {"notes": NOTE}, format="json")
    assert response.status_code == 200 and response.json()["notes_metadata"]["stale"] is False


def test_the_admin_review_shows_each_statements_evidence_and_the_removed_ones(session, no_enqueue) -> None:
    from django.contrib.auth import get_user_model
    from django.test import Client

    note = NOTE.replace("Thought record.", "Thought record; sleeps 7 hours.")
    outcome = services.submit_session_note_job(clinician=session.patient.clinician, session=session,
                                               regenerate=False)
    execute_job(str(outcome.job.pk), ScriptedEngine(text=note))
    admin_user = get_user_model().objects.create_superuser("reviewer", "r@example.org", "pw-12345-long")
    client = Client()
    client.force_login(admin_user)
    page = client.get(f"/admin/therapy_sessions/session/{session.pk}/change/").content.decode()
    assert "<mark>" in page and "removed: invented number" in page and "sleeps 7 hours" in page
