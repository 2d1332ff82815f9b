"""Reads: the queries services, job execution, the reconciler and views share (no writes here)."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from sessions.models import (
    AccessEvent,
    ClinicianProfile,
    NoteJob,
    Patient,
    Session,
    WebhookDelivery,
    WebhookSubscription,
)
from summarizer.formats import DEFAULT_FORMAT


def clinician_note_format(user: Any) -> str:
    """The format the clinician's notes are written in unless a request names one."""
    profile = ClinicianProfile.objects.filter(user=user).first()
    return profile.note_format if profile else DEFAULT_FORMAT


def clinician_sessions(user: Any) -> QuerySet[Session]:
    """The sessions a clinician may see: their own patients' (every screen scopes through this)."""
    return Session.objects.filter(patient__clinician=user).select_related("patient", "notes_signed_by")


def _finished_note_jobs(session: Session) -> QuerySet[NoteJob]:
    return session.jobs.filter(kind=NoteJob.Kind.SESSION_NOTE, status=NoteJob.Status.SUCCEEDED).order_by(
        "-finished_at")


def latest_applied_note_job(session: Session) -> NoteJob | None:
    """The job whose note is (or was last) the session's AI note: its evidence and provenance.

    ``result`` is encrypted, so "applied" is read in Python, not by a JSON lookup in the database: a
    session has a handful of jobs, and the newest applied one is usually the first."""
    return next((job for job in _finished_note_jobs(session).iterator() if (job.result or {}).get("applied")),
                None)


def pending_suggestions(session: Session) -> list[NoteJob]:
    """Finished jobs whose note was kept aside (the clinician edited, or signed, while they ran); read in
    Python like ``latest_applied_note_job``."""
    return [job for job in _finished_note_jobs(session) if job.is_pending_suggestion]


def job_for_idempotency_key(clinician: Any, idempotency_key: str | None) -> NoteJob | None:
    if not idempotency_key:
        return None
    return NoteJob.objects.filter(clinician=clinician, idempotency_key=idempotency_key).first()


def active_session_note_job(session: Session) -> NoteJob | None:
    return NoteJob.objects.filter(
        session=session, kind=NoteJob.Kind.SESSION_NOTE, status__in=NoteJob.ACTIVE_STATUSES
    ).first()


def active_summary_job(patient: Patient, parameters: dict[str, Any]) -> NoteJob | None:
    return NoteJob.objects.filter(
        patient=patient, kind=NoteJob.Kind.MULTI_SESSION_SUMMARY, status__in=NoteJob.ACTIVE_STATUSES,
        parameters=parameters,
    ).first()


def summary_sessions(patient: Patient, session_ids: Sequence[int] | None) -> QuerySet[Session]:
    """The sessions a multi-session summary reads, oldest first, capped by the setting."""
    sessions = patient.sessions.order_by("session_number")
    if session_ids:
        sessions = sessions.filter(pk__in=session_ids)
    return sessions[: settings.THERAPY_NOTES_MAX_SUMMARY_SESSIONS]


def stuck_jobs(older_than_seconds: int | None = None) -> list[NoteJob]:
    """Jobs still queued (or running) long after they should have finished: the broker may have lost them."""
    age = older_than_seconds if older_than_seconds is not None else settings.THERAPY_NOTES_STUCK_JOB_SECONDS
    deadline = timezone.now() - timedelta(seconds=age)
    never_sent = Q(enqueued_at__isnull=True, created_at__lt=deadline)
    queued = Q(status=NoteJob.Status.QUEUED) & (Q(enqueued_at__lt=deadline) | never_sent)
    running = Q(status=NoteJob.Status.RUNNING, started_at__lt=deadline)
    return list(NoteJob.objects.filter(queued | running).order_by("created_at"))


def jobs_of_lost_workers(live_workers: Collection[str], claimed_before: datetime) -> list[NoteJob]:
    """Running jobs claimed before ``claimed_before`` by a worker process not in ``live_workers`` (the
    ``host:pid`` of the heartbeats alive now): the process died with them. Jobs without a recorded
    claimant are left to the stuck-job age."""
    return list(NoteJob.objects.filter(status=NoteJob.Status.RUNNING, started_at__lt=claimed_before)
                .exclude(claimed_by="").exclude(claimed_by__in=list(live_workers)).order_by("created_at"))


def signed_notes_for_training() -> Iterator[Session]:
    """Signed (or amended) notes with a transcript, of the clinicians who opted in to training use.

    Transcript and notes are encrypted: "not empty" is checked in Python after decryption (a database
    ``exclude(notes="")`` would compare ciphertexts), streaming the rows."""
    sessions = Session.objects.filter(
        notes_status__in=[Session.NotesStatus.SIGNED, Session.NotesStatus.AMENDED],
        patient__clinician__groups__name=settings.THERAPY_NOTES_TRAINING_OPT_IN_GROUP,
    ).order_by("pk")
    return (session for session in sessions.iterator() if session.original_transcription and session.notes)


def access_events() -> QuerySet[AccessEvent]:
    """The whole read audit, newest first (auditors only: the views check the permission)."""
    return AccessEvent.objects.order_by("-at", "-id")


def expired_access_events(retention_days: int) -> QuerySet[AccessEvent]:
    """Access log entries older than the retention."""
    return AccessEvent.objects.filter(at__lt=timezone.now() - timedelta(days=retention_days))
def clinician_webhook_subscriptions(user: Any) -> QuerySet[WebhookSubscription]:
    return WebhookSubscription.objects.filter(clinician=user)


def active_webhook_subscriptions(clinician_id: int) -> list[WebhookSubscription]:
    """The subscriptions a clinician's finished job is announced to (each picks its events: ``wants``)."""
    return list(WebhookSubscription.objects.filter(clinician_id=clinician_id, active=True).order_by("pk"))


def due_webhook_deliveries(older_than_seconds: int | None = None) -> list[WebhookDelivery]:
    """Pending deliveries due for longer than the stuck-job deadline: their message was lost (a broker
    outage when they were sent, a worker lost mid-attempt), or they would have been sent by now."""
    age = older_than_seconds if older_than_seconds is not None else settings.THERAPY_NOTES_STUCK_JOB_SECONDS
    deadline = timezone.now() - timedelta(seconds=age)
    return list(WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING, next_attempt_at__lt=deadline)
                .order_by("next_attempt_at"))


def webhook_deliveries(subscription: WebhookSubscription) -> QuerySet[WebhookDelivery]:
    """A subscription's delivery log, newest first."""
    return subscription.deliveries.order_by("-created_at", "id")
