"""Right of access: everything held about one patient, as one machine-readable document.

The patient, each session (transcript, notes, risk flags, every earlier version from the audit history,
the amendments, the signature), every job about the patient (parameters, result, error, model identity)
with the webhook deliveries that carried it and to where, the read audit's entries about the patient and
the erasures done. The view that serves it records the read in the access log (sessions/views.py).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from sessions.models import AccessEvent, NoteJob, Patient, PatientErasure, Session

EXPORT_FORMAT = "therapy-notes/patient-export"
EXPORT_VERSION = 1

_SESSION_FIELDS = ("id", "session_number", "session_date", "original_transcription", "notes", "notes_status",
                   "notes_format", "notes_is_ai_generated", "notes_edited_from_ai", "notes_generated_at",
                   "notes_last_edited_at", "notes_signed_at", "risk_flags", "attention_reasons", "created_at",
                   "updated_at")
# The history tables leave out updated_at (sessions/models.py: every save would be a version otherwise).
_SESSION_HISTORY_FIELDS = tuple(name for name in _SESSION_FIELDS if name not in ("id", "updated_at"))
_JOB_FIELDS = ("id", "kind", "status", "session_id", "parameters", "result", "progress", "error_message", "attempts",
               "created_at", "started_at", "finished_at", "model_file", "model_sha256", "model_adapter",
               "model_entry", "prompt_version", "prompt_tokens", "completion_tokens", "inference_seconds")
_ACCESS_FIELDS = ("at", "actor_username", "object_type", "object_id", "channel", "method", "endpoint",
                  "client_address")


def _fields(obj: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in names}


def _history(record: Any, names: tuple[str, ...]) -> list[dict[str, Any]]:
    """The record's versions from django-simple-history, oldest first, with who made each change."""
    return [{"history_date": row.history_date, "history_type": row.history_type,
             "changed_by": row.history_user.get_username() if row.history_user else None,
             "change_reason": row.history_change_reason, **_fields(row, names)}
            for row in record.history.select_related("history_user").order_by("history_date", "history_id")]


def _job(job: NoteJob) -> dict[str, Any]:
    deliveries = job.webhook_deliveries.select_related("subscription").order_by("created_at", "id")
    return {**_fields(job, _JOB_FIELDS), "webhook_deliveries": [
        {"id": d.pk, "event": d.event, "recipient": d.subscription.url, "status": d.status, "attempts": d.attempts,
         "created_at": d.created_at, "delivered_at": d.delivered_at, "payload": d.payload} for d in deliveries]}


def _session(session: Session) -> dict[str, Any]:
    signer = session.notes_signed_by
    return {
        **_fields(session, _SESSION_FIELDS),
        "notes_signed_by": signer.get_username() if signer else None,
        "history": _history(session, _SESSION_HISTORY_FIELDS),
        "amendments": [{"author": a.author.get_username(), "created_at": a.created_at, "reason": a.reason,
                        "previous_notes": a.previous_notes, "notes": a.notes}
                       for a in session.amendments.select_related("author").order_by("created_at", "id")],
        "jobs": [_job(job) for job in session.jobs.order_by("created_at")],
    }


def patient_record(patient: Patient) -> dict[str, Any]:
    """The export document (datetimes, dates and UUIDs as Python values: the renderer writes them ISO)."""
    sessions = list(patient.sessions.select_related("notes_signed_by").order_by("session_number", "pk"))
    summary_jobs = patient.jobs.filter(session__isnull=True).order_by("created_at")
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": timezone.now(),
        "patient": {
            "id": patient.pk, "display_name": patient.display_name, "external_reference": patient.external_reference,
            "clinician": patient.clinician.get_username(), "created_at": patient.created_at,
            "updated_at": patient.updated_at,
            "history": _history(patient, ("display_name", "external_reference")),
        },
        "sessions": [_session(session) for session in sessions],
        "summary_jobs": [_job(job) for job in summary_jobs],
        "access_events": [_fields(event, _ACCESS_FIELDS)
                          for event in AccessEvent.objects.filter(patient_id=patient.pk).order_by("at", "id")],
        "erasures": [{"at": e.at, "actor": e.actor_username, "channel": e.channel, "reason": e.reason,
                      "retention_override_reason": e.retention_override_reason, "counts": e.counts,
                      "retained_sessions": e.retained_sessions}
                     for e in PatientErasure.objects.filter(patient_id=patient.pk).order_by("at", "id")],
    }


def audited_objects(patient: Patient) -> dict[str, list[Any]]:
    """What an export hands out, by the access log's object type (one entry each)."""
    return {
        AccessEvent.ObjectType.PATIENT: [patient],
        AccessEvent.ObjectType.SESSION: list(patient.sessions.order_by("pk")),
        AccessEvent.ObjectType.JOB: list(patient.jobs.order_by("created_at")),
    }
