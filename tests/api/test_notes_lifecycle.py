"""Note lifecycle through the API (issue 14, part 1): draft -> signed (frozen) -> amended (with a
reason, the signed text kept); every refusal is a 409 with a code, another clinician's session a 404."""

from __future__ import annotations

import pytest

from sessions import services
from sessions.job_execution import claim_job, store_outcome
from sessions.models import NoteAmendment, Session
from summarizer.notes import NoteOutcome
from tests.errors import error_code, error_detail, field_errors
from tests.summarizer.fakes import FAKE_IDENTITY

pytestmark = pytest.mark.django_db(transaction=True)


def _url(session: Session, action: str) -> str:
    return f"/api/sessions/{session.pk}/{action}"


def _drafted(api, session: Session) -> None:
    assert api.put(_url(session, "notes"), {"notes": "Draft note by the clinician."}, format="json").status_code == 200


def test_sign_freezes_the_notes_and_records_who_and_when(api, clinician, session) -> None:
    _drafted(api, session)
    signed = api.post(_url(session, "sign"))
    assert signed.status_code == 200
    meta = signed.json()["notes_metadata"]
    assert meta["status"] == "signed" and meta["signed_by"] == clinician.username and meta["signed_at"]
    edit = api.put(_url(session, "notes"), {"notes": "Changed after signing"}, format="json")
    assert edit.status_code == 409 and error_code(edit) == "notes_signed" and "/amend" in error_detail(edit)
    again = api.post(_url(session, "sign"))
    assert again.status_code == 409 and error_code(again) == "already_signed"
    regenerate = api.post(_url(session, "generate-notes"), {"regenerate": True}, format="json")
    assert regenerate.status_code == 409 and error_code(regenerate) == "notes_signed"
    session.refresh_from_db()
    assert session.notes == "Draft note by the clinician."


def test_signing_nothing_is_a_409(api, session) -> None:
    response = api.post(_url(session, "sign"))
    assert response.status_code == 409 and error_code(response) == "no_notes"


def test_amend_keeps_the_signed_text_and_the_reason(api, clinician, session) -> None:
    _drafted(api, session)
    api.post(_url(session, "sign"))
    amended = api.post(_url(session, "amend"), {"notes": "Corrected: sleeps four hours.", "reason": "Wrong number"},
                       format="json")
    assert amended.status_code == 200
    body = amended.json()
    assert body["notes"] == "Corrected: sleeps four hours." and body["notes_metadata"]["status"] == "amended"
    [entry] = body["amendments"]
    assert entry["previous_notes"] == "Draft note by the clinician." and entry["reason"] == "Wrong number"
    assert entry["author"] == clinician.username
    assert NoteAmendment.objects.filter(session=session).count() == 1
    history = [h.history_change_reason for h in session.history.all()]
    amendment = NoteAmendment.objects.get(session=session)
    assert "Notes signed" in history and f"Notes amended (amendment {amendment.pk})" in history
    # The reason is on the (encrypted) amendment only: the history's change reason column is plaintext.
    assert not any("Wrong number" in (reason or "") for reason in history)


def test_amend_needs_a_signed_note_a_reason_and_text(api, session) -> None:
    _drafted(api, session)
    draft = api.post(_url(session, "amend"), {"notes": "x", "reason": "y"}, format="json")
    assert draft.status_code == 409 and error_code(draft) == "not_signed"
    api.post(_url(session, "sign"))
    missing = api.post(_url(session, "amend"), {"notes": "x"}, format="json")
    assert missing.status_code == 400 and "reason" in field_errors(missing)
    blank = api.post(_url(session, "amend"), {"notes": "", "reason": "y"}, format="json")
    assert blank.status_code == 400 and "notes" in field_errors(blank)


def test_another_clinicians_session_is_a_404_on_sign_and_amend(other_api, api, session) -> None:
    _drafted(api, session)
    assert other_api.post(_url(session, "sign")).status_code == 404
    assert other_api.post(_url(session, "amend"), {"notes": "x", "reason": "y"}, format="json").status_code == 404


def test_a_job_finishing_after_signing_never_overwrites_the_signed_note(api, session, no_enqueue) -> None:
    job = services.submit_session_note_job(clinician=session.patient.clinician, session=session,
                                           regenerate=True).job
    claim_job(str(job.pk))
    _drafted(api, session)
    api.post(_url(session, "sign"))
    store_outcome(str(job.pk), NoteOutcome(text="AI text", inference_time=1, prompt_tokens=1, completion_tokens=1,
                                           model=FAKE_IDENTITY), session.transcript_sha256)
    session.refresh_from_db()
    job.refresh_from_db()
    assert session.notes == "Draft note by the clinician." and session.notes_status == "signed"
    assert job.result["applied"] is False and "signed" in job.result["message"]


def _suggestion(api, session: Session) -> str:
    """A job that finished after the clinician edited: its output is kept as a suggestion."""
    job = services.submit_session_note_job(clinician=session.patient.clinician, session=session,
                                           regenerate=True).job
    claim_job(str(job.pk))
    _drafted(api, session)
    store_outcome(str(job.pk), NoteOutcome(text="AI suggestion text", inference_time=1, prompt_tokens=1,
                                           completion_tokens=1, model=FAKE_IDENTITY), session.transcript_sha256)
    return str(job.pk)


def test_a_pending_suggestion_can_be_accepted_once(api, clinician, session, no_enqueue) -> None:
    job_id = _suggestion(api, session)
    accepted = api.post(f"/api/jobs/{job_id}/accept-suggestion")
    assert accepted.status_code == 200 and accepted.json()["notes"] == "AI suggestion text"
    assert accepted.json()["notes_metadata"]["is_ai_generated"] is True
    result = api.get(f"/api/jobs/{job_id}").json()["result"]
    assert result["applied"] is True and result["accepted_by"] == clinician.username
    again = api.post(f"/api/jobs/{job_id}/accept-suggestion")
    assert again.status_code == 409 and error_code(again) == "suggestion_not_applicable"


def test_a_suggestion_is_refused_once_signed_or_stale(api, other_api, session, no_enqueue) -> None:
    job_id = _suggestion(api, session)
    assert other_api.post(f"/api/jobs/{job_id}/accept-suggestion").status_code == 404
    edited = session.original_transcription + "\nPatient: more."
    api.patch(f"/api/sessions/{session.pk}/", {"original_transcription": edited}, format="json")
    stale = api.post(f"/api/jobs/{job_id}/accept-suggestion")
    assert stale.status_code == 409 and "transcript changed" in error_detail(stale)
    api.post(f"/api/sessions/{session.pk}/sign")
    signed = api.post(f"/api/jobs/{job_id}/accept-suggestion")
    assert signed.status_code == 409 and "signed" in error_detail(signed)
    session.refresh_from_db()
    assert session.notes == "Draft note by the clinician."
