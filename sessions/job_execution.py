"""Running a job on the worker side: claim it, call the summarizer, store the outcome.

Every write that matters happens in one transaction (notes + provenance + job status),
and every step is safe to repeat: a redelivered or duplicated message finds the job
already final and does nothing.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError, close_old_connections, transaction

from sessions.models import NoteJob, Session, transcript_digest
from sessions.selectors import summary_sessions
from sessions.webhook_events import record_job_events
from summarizer.engine import NoteEngine
from summarizer.formats import DEFAULT_FORMAT
from summarizer.notes import (
    NoteOptions,
    NoteOutcome,
    SessionInput,
    SummaryOutcome,
    summarize_sessions,
    summarize_single_session,
)
from workers import metrics

logger = logging.getLogger(__name__)
T = TypeVar("T")

DB_RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0, 8.0)


def with_db_retry(operation: Callable[[], T]) -> T:
    """Retry a whole transaction when the database is briefly unreachable.

    The operation is one atomic block, so a failed try leaves nothing half-written.
    """
    for delay in DB_RETRY_DELAYS:
        try:
            return operation()
        except (OperationalError, InterfaceError):
            logger.warning("database unavailable; retrying in %.1f s", delay)
            close_old_connections()
            time.sleep(delay)
    return operation()


def claim_job(job_id: str) -> NoteJob | None:
    """Mark the job running and count the attempt; None when there is nothing to do."""
    with transaction.atomic():
        job = NoteJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            logger.warning("job does not exist", extra={"job_id": job_id})
            return None
        if job.is_final:
            logger.info("job already final; duplicate delivery ignored", extra={"job_id": job_id})
            return None
        if job.attempts >= settings.THERAPY_NOTES_MAX_ATTEMPTS:
            job.fail(f"Gave up after {job.attempts} attempts (worker lost or crashed each time).")
            record_job_events(job)
            return None
        job.start(worker=metrics.worker_id())
        return job


def _ours(job: NoteJob) -> bool:
    """Whether this process still holds the job's claim. The reconciler takes back a job whose claimant's
    heartbeat is gone, and another worker may claim it again; a claimant that was only presumed dead (a
    pool child orphaned by its killed parent, a process cut off from Redis) must then write nothing, so
    the outcome that counts is the current claim's. Jobs claimed before claims were recorded have no
    claimant ("")."""
    return job.status == NoteJob.Status.RUNNING and job.claimed_by in ("", metrics.worker_id())


def fail_job(job_id: str, message: str) -> None:
    """Mark a job failed. The session's notes are never touched on failure."""

    def write() -> None:
        with transaction.atomic():
            job = NoteJob.objects.select_for_update().get(pk=job_id)
            if _ours(job):
                job.fail(message)
                record_job_events(job)
            else:
                logger.info("job no longer ours; failure not recorded", extra={"job_id": job_id})

    with_db_retry(write)


def _summary_inputs(job: NoteJob) -> list[SessionInput]:
    sessions = summary_sessions(job.patient, job.parameters.get("session_ids"))
    return [
        SessionInput(s.session_number, s.session_date.isoformat(), s.original_transcription, s.notes)
        for s in sessions
    ]


def record_progress(job_id: str, phase: str, step: int, steps: int, detail: str = "") -> None:
    """Store where a running job is (its own small write, outside the job's transaction: a frontend polling
    GET /api/jobs/{id} sees it at once). Progress is never clinical text: phases and counts only."""
    progress = {"phase": phase, "step": step, "steps": steps, **({"detail": detail} if detail else {})}
    try:
        NoteJob.objects.filter(pk=job_id, status=NoteJob.Status.RUNNING,
                               claimed_by__in=("", metrics.worker_id())).update(progress=progress)
    except (OperationalError, InterfaceError):
        # Progress is a courtesy: a database blip must not fail the note (the final write retries).
        logger.warning("progress not recorded", extra={"job_id": job_id})
        close_old_connections()


def _options(job: NoteJob) -> NoteOptions:
    job_id = str(job.pk)
    return NoteOptions(
        on_progress=lambda phase, step, steps, detail: record_progress(job_id, phase, step, steps, detail),
        job_id=job_id,
        use_grammar=settings.THERAPY_NOTES_USE_GRAMMAR and settings.THERAPY_NOTES_GRAMMAR_MODE == "always",
        grammar_retry=settings.THERAPY_NOTES_GRAMMAR_MODE == "on_failure",
        on_model_failure=settings.THERAPY_NOTES_ON_MODEL_FAILURE,
        ground_statements=settings.THERAPY_NOTES_GROUND_STATEMENTS,
        # Jobs queued before formats existed have no "format": they get the default layout.
        note_format=job.parameters.get("format") or DEFAULT_FORMAT,
    )


def store_outcome(job_id: str, outcome: NoteOutcome, transcript_sha256: str = "") -> None:
    """Write notes + provenance + job status in one transaction (retried if the DB blips)."""

    def write() -> None:
        with transaction.atomic():
            job = NoteJob.objects.select_for_update().get(pk=job_id)
            if not _ours(job):
                logger.info("job no longer running here; result discarded", extra={"job_id": job_id})
                return
            result = outcome.job_result()
            job.progress = {"phase": "done", "step": 1, "steps": 1}
            job.save(update_fields=["progress"])
            if not isinstance(outcome, SummaryOutcome):
                job.transcript_sha256 = transcript_sha256
                result.update(transcript_sha256=transcript_sha256, **_write_session_notes(job, outcome))
            identity = outcome.model
            job.succeed(
                result, model_file=identity.model_file, model_sha256=identity.model_sha256,
                model_adapter=identity.adapter_file or "", model_entry=identity.registry_entry or "",
                prompt_version=identity.prompt_version, prompt_tokens=outcome.prompt_tokens,
                completion_tokens=outcome.completion_tokens, inference_seconds=outcome.inference_time,
                transcript_sha256=job.transcript_sha256,
            )
            record_job_events(job)

    with_db_retry(write)


_NOT_APPLIED = {
    # A clinician signed the notes: a signed record is never overwritten by a job.
    "signed": {"applied": False, "pending_suggestion": True,
               "message": "The notes were signed while this job ran; the output is kept here as a suggestion. "
                          "Signed notes change only through an amendment."},
    # The transcript was edited while we ran: this note describes a version that no longer exists.
    "stale": {"applied": False, "pending_suggestion": True, "stale": True,
              "message": "The transcript changed while this job ran; this note describes the earlier transcript "
                         "and was not applied. Generate notes again for the current transcript."},
    # A clinician edited the notes while we ran: never overwrite a human edit.
    "edited": {"applied": False, "pending_suggestion": True,
               "message": "The notes were edited while this job ran; the output is kept here as a suggestion."},
}


def _write_session_notes(job: NoteJob, outcome: NoteOutcome) -> dict[str, Any]:
    session = Session.objects.select_for_update().get(pk=job.session_id)
    conflict = session.ai_note_conflict(job)
    if conflict is not None:
        return dict(_NOT_APPLIED[conflict])
    session.apply_ai_note(
        outcome.text, job=job, risk_flags=outcome.risk_flags,
        attention_reasons=outcome.attention_reasons, note_format=outcome.note_format,
    )
    return {"applied": True, "pending_suggestion": False}


@dataclass(frozen=True)
class ExecutionReport:
    """What happened, for the worker's metrics (no clinical text)."""

    ran: bool
    succeeded: bool = False
    outcome: NoteOutcome | None = None


def execute_job(job_id: str, engine: NoteEngine) -> ExecutionReport:
    """The whole job: claim → summarise → store. Failures end the job failed, notes untouched."""
    job = with_db_retry(lambda: claim_job(job_id))
    if job is None:
        return ExecutionReport(ran=False)
    try:
        outcome: NoteOutcome
        transcript_sha256 = ""
        if job.kind == NoteJob.Kind.SESSION_NOTE:
            transcript = job.session.original_transcription
            transcript_sha256 = transcript_digest(transcript)
            outcome = summarize_single_session(engine, transcript, _options(job))
        else:
            inputs = _summary_inputs(job)
            if not inputs:
                fail_job(job_id, "The patient has no sessions to summarise.")
                return ExecutionReport(ran=True)
            outcome = summarize_sessions(engine, inputs, _options(job))
    except SoftTimeLimitExceeded:
        fail_job(
            job_id,
            f"The job exceeded the soft time limit ({settings.CELERY_TASK_SOFT_TIME_LIMIT} s); "
            "the session's notes were not changed.",
        )
        return ExecutionReport(ran=True)
    except Exception as exc:  # noqa: BLE001 - any failure is recorded on the job, never lost
        # Frames and exception type only: an exception's message can quote the transcript.
        logger.error("job failed: %s\n%s", type(exc).__name__, "".join(traceback.format_tb(exc.__traceback__)),
                     extra={"job_id": job_id})
        fail_job(job_id, f"Note generation failed: {type(exc).__name__}: {exc}")
        return ExecutionReport(ran=True)
    store_outcome(job_id, outcome, transcript_sha256)
    return ExecutionReport(ran=True, succeeded=True, outcome=outcome)
