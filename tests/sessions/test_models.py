"""The models own their state changes: every NoteJob status change, allowed and refused, and the
Session note writes (the one notes_version bump, AI note vs clinician edit, stale detection)."""

from __future__ import annotations

import itertools

import pytest

from sessions.models import InvalidJobTransitionError, NoNotesError, NoteJob, Session

pytestmark = pytest.mark.django_db

S = NoteJob.Status
ALLOWED = {
    (S.QUEUED, S.RUNNING), (S.QUEUED, S.FAILED), (S.QUEUED, S.CANCELLED),
    (S.RUNNING, S.RUNNING), (S.RUNNING, S.SUCCEEDED), (S.RUNNING, S.FAILED), (S.RUNNING, S.QUEUED),
}
# How each target status is reached through the model's own methods.
MOVES = {
    S.RUNNING: lambda job: job.start(),
    S.SUCCEEDED: lambda job: job.succeed({"generated_notes": "x"}, model_file="m.gguf", prompt_tokens=3),
    S.FAILED: lambda job: job.fail("boom"),
    S.CANCELLED: lambda job: job.cancel(),
    S.QUEUED: lambda job: job.requeue(),
}


def _job(session: Session, status: str) -> NoteJob:
    job = NoteJob.objects.create(kind=NoteJob.Kind.SESSION_NOTE, clinician=session.patient.clinician,
                                 session=session, patient=session.patient, base_notes_version=0)
    NoteJob.objects.filter(pk=job.pk).update(status=status)
    job.refresh_from_db()
    return job


@pytest.mark.parametrize(("before", "after"), list(itertools.product(S.values, S.values)))
def test_each_status_change_is_allowed_exactly_by_the_table(session, before: str, after: str) -> None:
    job = _job(session, before)
    assert job.can_become(after) == ((before, after) in ALLOWED)
    if (before, after) in ALLOWED:
        MOVES[after](job)
        job.refresh_from_db()
        assert job.status == after
    else:
        with pytest.raises(InvalidJobTransitionError, match=f"A {before} job cannot become {after}"):
            MOVES[after](job)
        job.refresh_from_db()
        assert job.status == before  # nothing was saved


def test_start_counts_an_attempt_and_stamps_the_start(session) -> None:
    job = _job(session, S.QUEUED)
    job.start()
    job.refresh_from_db()
    assert job.attempts == 1 and job.started_at is not None
    job.start()  # a redelivered message after a lost worker
    job.refresh_from_db()
    assert job.attempts == 2


def test_succeed_records_result_and_provenance_and_clears_the_error(session) -> None:
    job = _job(session, S.RUNNING)
    job.error_message = "old"
    job.succeed({"generated_notes": "n"}, model_file="m.gguf", model_sha256="a" * 64, inference_seconds=1.5)
    job.refresh_from_db()
    assert (job.result, job.model_file, job.inference_seconds, job.error_message) == (
        {"generated_notes": "n"}, "m.gguf", 1.5, "")
    assert job.finished_at is not None
    with pytest.raises(TypeError, match="not provenance fields"):
        _job(session, S.RUNNING).succeed({}, notes="not a provenance field")


def test_fail_and_cancel_stamp_the_finish_with_their_message(session) -> None:
    failed, cancelled = _job(session, S.RUNNING), _job(session, S.QUEUED)
    failed.fail("Model error")
    cancelled.cancel()
    for job, message in ((failed, "Model error"), (cancelled, "Cancelled by the clinician.")):
        job.refresh_from_db()
        assert job.error_message == message and job.finished_at is not None and job.is_final


def test_ai_note_and_clinician_edit_each_bump_the_notes_version_once(session) -> None:
    job = _job(session, S.RUNNING)
    job.transcript_sha256 = session.transcript_sha256
    session.apply_ai_note("AI note", job=job, risk_flags=[{"category": "x"}], attention_reasons=["r"])
    session.refresh_from_db()
    assert (session.notes, session.notes_version, session.notes_is_ai_generated) == ("AI note", 1, True)
    assert session.notes_transcript_sha256 == session.transcript_sha256 and session.notes_generated_at
    session.edit_notes("AI note")  # unchanged text: not a new version
    assert session.notes_version == 1 and not session.notes_edited_from_ai
    session.edit_notes("Clinician note")
    session.refresh_from_db()
    assert (session.notes_version, session.notes_edited_from_ai) == (2, True)
    assert session.notes_last_edited_at is not None


def test_ai_note_conflict_names_a_changed_transcript_before_an_edit(session) -> None:
    job = _job(session, S.RUNNING)
    job.transcript_sha256 = session.transcript_sha256
    assert session.ai_note_conflict(job) is None
    session.edit_notes("Clinician wrote first")
    assert session.ai_note_conflict(job) == "edited"
    session.original_transcription += "\nPatient: one more thing."
    assert session.ai_note_conflict(job) == "stale"


def test_confirming_notes_clears_stale_and_needs_notes(session) -> None:
    with pytest.raises(NoNotesError):
        session.confirm_notes()
    session.edit_notes("Note")
    session.original_transcription += "\nPatient: edited later."
    session.save()
    assert session.notes_stale
    session.confirm_notes()
    session.refresh_from_db()
    assert not session.notes_stale


def test_notes_lifecycle_draft_signed_amended_and_its_refusals(session) -> None:
    from django.contrib.auth import get_user_model

    from sessions.models import NotesLockedError, NotesNotSignedError

    user = get_user_model().objects.create_user(username="signer")
    with pytest.raises(NoNotesError):
        session.sign_notes(user)
    session.edit_notes("Draft")
    with pytest.raises(NotesNotSignedError):
        session.amend_notes(user, "x", "why")
    session.sign_notes(user)
    assert session.notes_status == Session.NotesStatus.SIGNED and session.notes_locked
    with pytest.raises(NotesLockedError):
        session.sign_notes(user)
    with pytest.raises(NotesLockedError):
        session.edit_notes("Changed")
    version = session.notes_version
    amendment = session.amend_notes(user, "Amended", "typo")
    session.refresh_from_db()
    assert (session.notes, session.notes_status, session.notes_version) == ("Amended", "amended", version + 1)
    assert (amendment.previous_notes, amendment.reason) == ("Draft", "typo")
    job = _job(session, S.RUNNING)
    assert session.ai_note_conflict(job) == "signed"
