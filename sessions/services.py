"""Writes behind the API and the admin: each takes the row locks and runs one transaction.

The models own the state changes (``NoteJob.cancel``, ``Session.edit_notes``...) and the rules
about which change is allowed; the selectors own the reads. The worker's side of a job (claim,
store, fail) is in ``sessions/job_execution.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from sessions.models import ClinicianProfile, NoteJob, NotesLockedError, Patient, Session, WebhookSubscription
from sessions.queue import enqueue_job
from sessions.selectors import (
    active_session_note_job,
    active_summary_job,
    clinician_note_format,
    job_for_idempotency_key,
)
from sessions.webhook_events import record_job_events
from summarizer.formats import DEFAULT_FORMAT
from summarizer.text import MIN_SPEECH_WORDS, speech_word_count


class NotesAlreadyExistError(Exception):
    """The session has notes and the caller did not ask to regenerate them."""


class JobNotCancellableError(Exception):
    """Only queued jobs can be cancelled."""


class SuggestionNotApplicableError(Exception):
    """The job has no suggestion that can still be applied."""


class NoSpeechContentError(Exception):
    """The transcript has nothing to summarise (empty, whitespace, a few words)."""


class IdempotencyKeyReusedError(Exception):
    """The Idempotency-Key was already used for a different request (another path, body or user)."""

    def __init__(self) -> None:
        super().__init__("This Idempotency-Key was already used for a different request (another endpoint or "
                         "body). Send a new key with a new request; repeat a request only with its own key.")


@dataclass(frozen=True)
class SubmitOutcome:
    job: NoteJob
    created: bool


def _replay(clinician: Any, idempotency_key: str | None, fingerprint: str) -> SubmitOutcome | None:
    """The job an earlier request with this key created, if the request is the same one (IETF
    Idempotency-Key draft: a key reused for another payload is an error, never the other job)."""
    existing = job_for_idempotency_key(clinician, idempotency_key)
    if existing is None:
        return None
    if existing.idempotency_fingerprint and existing.idempotency_fingerprint != fingerprint:
        raise IdempotencyKeyReusedError()
    return SubmitOutcome(existing, created=False)


def _create_job(**fields: Any) -> SubmitOutcome:
    """Create a job and enqueue it after commit; a racing duplicate idempotency key returns the winner."""
    try:
        with transaction.atomic():
            job = NoteJob.objects.create(**fields)
    except IntegrityError:
        replayed = _replay(fields["clinician"], fields.get("idempotency_key"),
                           fields.get("idempotency_fingerprint", ""))
        if replayed is None:
            raise
        return replayed
    transaction.on_commit(lambda: enqueue_job(str(job.pk)))
    return SubmitOutcome(job, created=True)


def submit_session_note_job(
    *, clinician: Any, session: Session, regenerate: bool, idempotency_key: str | None = None,
    idempotency_fingerprint: str = "", note_format: str | None = None,
) -> SubmitOutcome:
    """Queue a note job for ``session``, in ``note_format`` or else the clinician's default format."""
    replayed = _replay(clinician, idempotency_key, idempotency_fingerprint)
    if replayed is not None:
        return replayed
    words = speech_word_count(session.original_transcription)
    if words < MIN_SPEECH_WORDS:
        raise NoSpeechContentError(
            f"The transcript has no speech content to summarise ({words} spoken words; at least "
            f"{MIN_SPEECH_WORDS} are needed). Add the session's transcript, then generate notes."
        )
    with transaction.atomic():
        # Lock the session row so two concurrent submissions cannot both create a job.
        session = Session.objects.select_for_update().get(pk=session.pk)
        if session.notes_locked:
            raise NotesLockedError(
                f"This session's notes are {session.notes_status}: a job never replaces a signed note. "
                "Change it with an amendment (POST /api/sessions/{id}/amend)."
            )
        if session.notes.strip() and not regenerate:
            raise NotesAlreadyExistError(
                "This session already has notes. Send {\"regenerate\": true} to replace them."
            )
        active = active_session_note_job(session)
        if active is not None:
            return SubmitOutcome(active, created=False)
        return _create_job(
            kind=NoteJob.Kind.SESSION_NOTE,
            clinician=clinician,
            session=session,
            patient=session.patient,
            parameters={"regenerate": regenerate, "format": note_format or clinician_note_format(clinician)},
            idempotency_key=idempotency_key or None,
            idempotency_fingerprint=idempotency_fingerprint if idempotency_key else "",
            base_notes_version=session.notes_version,
        )


def submit_summary_job(
    *,
    clinician: Any,
    patient: Patient,
    session_ids: Sequence[int] | None,
    idempotency_key: str | None = None,
    idempotency_fingerprint: str = "",
) -> SubmitOutcome:
    replayed = _replay(clinician, idempotency_key, idempotency_fingerprint)
    if replayed is not None:
        return replayed
    parameters = {"session_ids": sorted(session_ids) if session_ids else None}
    with transaction.atomic():
        Patient.objects.select_for_update().get(pk=patient.pk)
        active = active_summary_job(patient, parameters)
        if active is not None:
            return SubmitOutcome(active, created=False)
        return _create_job(
            kind=NoteJob.Kind.MULTI_SESSION_SUMMARY,
            clinician=clinician,
            patient=patient,
            parameters=parameters,
            idempotency_key=idempotency_key or None,
            idempotency_fingerprint=idempotency_fingerprint if idempotency_key else "",
        )


def cancel_job(job: NoteJob) -> NoteJob:
    with transaction.atomic():
        locked = NoteJob.objects.select_for_update().get(pk=job.pk)
        if not locked.can_become(NoteJob.Status.CANCELLED):
            raise JobNotCancellableError(f"Only queued jobs can be cancelled; this job is {locked.status}.")
        locked.cancel()
        record_job_events(locked)
    return locked


def update_session_notes(session: Session, *, notes: str) -> Session:
    """A clinician's edit (see ``Session.edit_notes``: the provenance follows from it)."""
    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=session.pk)
        session.edit_notes(notes)
    return session


def update_session_from_form(session: Session, *, fields: dict[str, Any], notes: str | None) -> Session:
    """An edit from a form that can change the session's fields and its notes at once (the admin):
    the fields are written as given, the notes through ``Session.edit_notes`` like every other
    clinician edit (edited_from_ai, last_edited_at, the version a running job checks)."""
    with transaction.atomic():
        locked = Session.objects.select_for_update().get(pk=session.pk)
        for name, value in fields.items():
            setattr(locked, name, value)
        if notes is not None and notes != locked.notes:
            locked.edit_notes(notes)  # saves the fields too
        elif fields:
            locked.save()
    return locked


def sign_session_notes(session: Session, user: Any) -> Session:
    with transaction.atomic():
        locked = Session.objects.select_for_update().get(pk=session.pk)
        locked.sign_notes(user)
    return locked


def amend_session_notes(session: Session, user: Any, *, notes: str, reason: str) -> Session:
    with transaction.atomic():
        locked = Session.objects.select_for_update().get(pk=session.pk)
        locked.amend_notes(user, notes, reason)
    return locked


def confirm_session_notes(session: Session) -> Session:
    """A clinician confirms that the notes still describe the (edited) transcript: no longer stale."""
    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=session.pk)
        session.confirm_notes()
    return session


def accept_suggestion(job: NoteJob, user: Any) -> Session:
    """Apply a job's kept suggestion (made while the clinician edited) as the session's notes: only while
    the notes are a draft and the transcript is the one the job read."""
    with transaction.atomic():
        locked_job = NoteJob.objects.select_for_update().get(pk=job.pk)
        if locked_job.session_id is None or not locked_job.is_pending_suggestion:
            raise SuggestionNotApplicableError("This job has no pending suggestion to accept.")
        session = Session.objects.select_for_update().get(pk=locked_job.session_id)
        # The same rule a job's own write follows, except that an edit is why this is a suggestion at all.
        conflict = session.ai_note_conflict(locked_job)
        if conflict == "signed":
            raise SuggestionNotApplicableError("The notes are signed; change them with an amendment.")
        if conflict == "stale":
            raise SuggestionNotApplicableError("The transcript changed since this suggestion was made; "
                                               "generate notes again for the current transcript.")
        result = locked_job.result or {}
        session.apply_ai_note(result.get("generated_notes", ""), job=locked_job,
                              risk_flags=result.get("risk_flags", []),
                              attention_reasons=result.get("attention_reasons", []),
                              note_format=result.get("note_format", DEFAULT_FORMAT))
        locked_job.mark_suggestion_applied(user)
    return session


def set_note_format(user: Any, note_format: str) -> ClinicianProfile:
    """Make ``note_format`` the clinician's default for new notes (their existing notes keep their layout)."""
    profile, _ = ClinicianProfile.objects.update_or_create(user=user, defaults={"note_format": note_format})
    return profile


def rotate_webhook_secret(subscription: WebhookSubscription) -> WebhookSubscription:
    with transaction.atomic():
        locked = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
        locked.rotate_secret()
    return locked
