"""Plain functions behind the API, the admin and the workers.

Views and tasks stay a few lines; every rule about jobs and notes lives here.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from sessions.models import NoteJob, Patient, Session
from summarizer.text import MIN_SPEECH_WORDS, speech_word_count

logger = logging.getLogger(__name__)


class NotesAlreadyExistError(Exception):
    """The session has notes and the caller did not ask to regenerate them."""


class JobNotCancellableError(Exception):
    """Only queued jobs can be cancelled."""


class NoSpeechContentError(Exception):
    """The transcript has nothing to summarise (empty, whitespace, a few words)."""


class NoNotesError(Exception):
    """There are no notes to confirm."""


@dataclass(frozen=True)
class SubmitOutcome:
    job: NoteJob
    created: bool


def enqueue_job(job_id: str) -> bool:
    """Send the job id to the broker. A broker outage leaves the job queued in the
    database, where the reconciler finds and re-sends it: nothing is lost."""
    from workers.tasks import run_note_job

    try:
        run_note_job.apply_async(args=[job_id], task_id=job_id, queue=settings.CELERY_TASK_DEFAULT_QUEUE)
    except Exception:  # noqa: BLE001 - broker errors must not fail the HTTP request
        logger.exception("enqueue failed; the reconciler will retry", extra={"job_id": job_id})
        return False
    NoteJob.objects.filter(pk=job_id).update(enqueued_at=timezone.now())
    return True


def _existing_by_key(clinician: Any, idempotency_key: str | None) -> NoteJob | None:
    if not idempotency_key:
        return None
    return NoteJob.objects.filter(clinician=clinician, idempotency_key=idempotency_key).first()


def _create_job(**fields: Any) -> SubmitOutcome:
    """Create a job and enqueue it after commit; a racing duplicate idempotency key returns the winner."""
    try:
        with transaction.atomic():
            job = NoteJob.objects.create(**fields)
    except IntegrityError:
        existing = _existing_by_key(fields["clinician"], fields.get("idempotency_key"))
        if existing is None:
            raise
        return SubmitOutcome(existing, created=False)
    transaction.on_commit(lambda: enqueue_job(str(job.pk)))
    return SubmitOutcome(job, created=True)


def submit_session_note_job(
    *, clinician: Any, session: Session, regenerate: bool, idempotency_key: str | None = None
) -> SubmitOutcome:
    existing = _existing_by_key(clinician, idempotency_key)
    if existing is not None:
        return SubmitOutcome(existing, created=False)
    words = speech_word_count(session.original_transcription)
    if words < MIN_SPEECH_WORDS:
        raise NoSpeechContentError(
            f"The transcript has no speech content to summarise ({words} spoken words; at least "
            f"{MIN_SPEECH_WORDS} are needed). Add the session's transcript, then generate notes."
        )
    with transaction.atomic():
        # Lock the session row so two concurrent submissions cannot both create a job.
        session = Session.objects.select_for_update().get(pk=session.pk)
        if session.notes.strip() and not regenerate:
            raise NotesAlreadyExistError(
                "This session already has notes. Send {\"regenerate\": true} to replace them."
            )
        active = NoteJob.objects.filter(
            session=session, kind=NoteJob.Kind.SESSION_NOTE, status__in=NoteJob.ACTIVE_STATUSES
        ).first()
        if active is not None:
            return SubmitOutcome(active, created=False)
        return _create_job(
            kind=NoteJob.Kind.SESSION_NOTE,
            clinician=clinician,
            session=session,
            patient=session.patient,
            parameters={"regenerate": regenerate},
            idempotency_key=idempotency_key or None,
            base_notes_version=session.notes_version,
        )


def submit_summary_job(
    *,
    clinician: Any,
    patient: Patient,
    session_ids: Sequence[int] | None,
    idempotency_key: str | None = None,
) -> SubmitOutcome:
    existing = _existing_by_key(clinician, idempotency_key)
    if existing is not None:
        return SubmitOutcome(existing, created=False)
    parameters = {"session_ids": sorted(session_ids) if session_ids else None}
    with transaction.atomic():
        Patient.objects.select_for_update().get(pk=patient.pk)
        active = NoteJob.objects.filter(
            patient=patient,
            kind=NoteJob.Kind.MULTI_SESSION_SUMMARY,
            status__in=NoteJob.ACTIVE_STATUSES,
            parameters=parameters,
        ).first()
        if active is not None:
            return SubmitOutcome(active, created=False)
        return _create_job(
            kind=NoteJob.Kind.MULTI_SESSION_SUMMARY,
            clinician=clinician,
            patient=patient,
            parameters=parameters,
            idempotency_key=idempotency_key or None,
        )


def cancel_job(job: NoteJob) -> NoteJob:
    with transaction.atomic():
        locked = NoteJob.objects.select_for_update().get(pk=job.pk)
        if locked.status != NoteJob.Status.QUEUED:
            raise JobNotCancellableError(f"Only queued jobs can be cancelled; this job is {locked.status}.")
        locked.status = NoteJob.Status.CANCELLED
        locked.finished_at = timezone.now()
        locked.error_message = "Cancelled by the clinician."
        locked.save(update_fields=["status", "finished_at", "error_message"])
    return locked


def update_session_notes(
    session: Session,
    *,
    notes: str,
    is_ai_generated: bool | None = None,
    edited_from_ai: bool | None = None,
) -> Session:
    """A clinician's edit. Changing AI notes marks them edited_from_ai and stamps the edit time."""
    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=session.pk)
        changed = notes != session.notes
        if changed:
            if session.notes_is_ai_generated:
                session.notes_edited_from_ai = True
            session.notes = notes
            session.notes_last_edited_at = timezone.now()
            session.notes_version += 1
            # The clinician wrote these notes against the transcript as it is now.
            session.notes_transcript_sha256 = session.transcript_sha256
        if is_ai_generated is not None:
            session.notes_is_ai_generated = is_ai_generated
        if edited_from_ai is not None:
            session.notes_edited_from_ai = edited_from_ai
        session.save()
    return session


def confirm_session_notes(session: Session) -> Session:
    """A clinician confirms that the notes still describe the (edited) transcript: no longer stale."""
    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=session.pk)
        if not session.notes.strip():
            raise NoNotesError("This session has no notes to confirm.")
        session.notes_transcript_sha256 = session.transcript_sha256
        session._change_reason = "Notes confirmed against the current transcript"
        session.save(update_fields=["notes_transcript_sha256", "updated_at"])
    return session


def summary_session_queryset(patient: Patient, session_ids: Sequence[int] | None) -> Any:
    sessions = patient.sessions.order_by("session_number")
    if session_ids:
        sessions = sessions.filter(pk__in=session_ids)
    return sessions[: settings.THERAPY_NOTES_MAX_SUMMARY_SESSIONS]
