"""Right to erasure: remove one patient's clinical text everywhere, and record that it happened.

Everywhere is the sessions (transcript, notes, risk flags, attention reasons, the transcript digest), the
sessions' audit history, the amendments, the jobs about the patient (result, error message, transcript
digest: a summary job's result included) and the webhook deliveries that carried them (payload cleared;
a delivery not sent yet is abandoned). Without anything retained, the patient's name and reference are
replaced too, in the patient table and its history. The access log is untouched: it never held clinical
text, and who read the record stays accountable.

Signed-note retention: a session whose notes were signed less than THERAPY_NOTES_SIGNED_NOTE_RETENTION_DAYS
ago is left whole (transcript, notes, history, jobs) and so is the patient's identity, unless the
erasure gives a retention override reason. What was kept, and until when, is in the erasure record and
in the answer.

The record (PatientErasure) is append-only: who, when, through which channel, why, the override reason,
the counts of what was cleared, the retained sessions. No clinical text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from sessions.models import NoteAmendment, NoteJob, Patient, PatientErasure, Session, WebhookDelivery

ERASED_DISPLAY_NAME = "Erased patient {pk}"
ERASED_PAYLOAD = {"erased": True}
ERASED_DELIVERY_ERROR = "Not sent: the patient's data was erased."


class ErasureRefusedError(Exception):
    """The erasure cannot happen now (``code`` says why; the message says what to do)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Retained:
    session: Session
    until: datetime


def retained_sessions(patient: Patient, now: datetime | None = None) -> list[Retained]:
    """The patient's sessions whose signed notes are still under the retention period."""
    now = now or timezone.now()
    period = timedelta(days=settings.THERAPY_NOTES_SIGNED_NOTE_RETENTION_DAYS)
    signed = patient.sessions.exclude(notes_status=Session.NotesStatus.DRAFT).filter(notes_signed_at__isnull=False)
    return [Retained(s, s.notes_signed_at + period) for s in signed.order_by("pk")
            if s.notes_signed_at + period > now]


def _erase_sessions(session_ids: list[int]) -> dict[str, int]:
    cleared = {"original_transcription": "", "notes": "", "risk_flags": [], "attention_reasons": [],
               "notes_transcript_sha256": ""}
    history = Session.history.model
    return {
        "sessions": Session.objects.filter(pk__in=session_ids).update(**cleared),
        # The history rows keep who changed what and when; their text goes like the session's.
        "session_history_rows": history.objects.filter(id__in=session_ids).update(**cleared),
        "amendments": NoteAmendment.objects.filter(session_id__in=session_ids).update(
            reason="", previous_notes="", notes=""),
    }


def _erase_jobs(patient: Patient, session_ids: list[int]) -> dict[str, int]:
    # The session-note jobs of the erased sessions, and every summary job of the patient (a summary
    # reads all of their sessions).
    jobs = NoteJob.objects.filter(Q(session_id__in=session_ids) | Q(patient=patient, session__isnull=True))
    job_ids = list(jobs.values_list("pk", flat=True))
    deliveries = WebhookDelivery.objects.filter(job_id__in=job_ids)
    abandoned = deliveries.filter(status=WebhookDelivery.Status.PENDING).update(
        status=WebhookDelivery.Status.FAILED, next_attempt_at=None, last_error=ERASED_DELIVERY_ERROR)
    return {
        "jobs": NoteJob.objects.filter(pk__in=job_ids).update(result=None, error_message="", transcript_sha256="",
                                                              progress={}),
        "webhook_deliveries": deliveries.update(payload=ERASED_PAYLOAD),
        "webhook_deliveries_abandoned": abandoned,
    }


def _erase_identity(patient: Patient) -> dict[str, int]:
    erased = {"display_name": ERASED_DISPLAY_NAME.format(pk=patient.pk), "external_reference": ""}
    return {
        "patient_identity": Patient.objects.filter(pk=patient.pk).update(**erased),
        "patient_history_rows": Patient.history.model.objects.filter(id=patient.pk).update(**erased),
    }


def erase_patient(patient: Patient, *, actor: Any, channel: str, reason: str,
                  retention_override_reason: str = "") -> PatientErasure:
    """Erase ``patient``'s clinical text (see the module's docstring) and return the erasure record.
    The callers check the confirmation; ``reason`` must not be blank (ValueError)."""
    if not reason.strip():
        raise ValueError("An erasure needs a reason.")
    with transaction.atomic():
        patient = Patient.objects.select_for_update().get(pk=patient.pk)
        # A job still queued or running would write its note back after the erasure.
        active = list(NoteJob.objects.filter(patient=patient, status__in=NoteJob.ACTIVE_STATUSES)
                      .values_list("pk", flat=True))
        if active:
            raise ErasureRefusedError(
                f"The patient has {len(active)} job(s) queued or running ({', '.join(map(str, active))}): cancel "
                "the queued ones (POST /api/jobs/{id}/cancel) or wait for them to finish, then erase.", "jobs_active")
        sessions = list(Session.objects.select_for_update().filter(patient=patient).order_by("pk"))
        overridden = bool(retention_override_reason.strip())
        retained = [] if overridden else retained_sessions(patient)
        kept = {item.session.pk for item in retained}
        erased_ids = [s.pk for s in sessions if s.pk not in kept]
        counts = {**_erase_sessions(erased_ids), **_erase_jobs(patient, erased_ids)}
        counts.update(_erase_identity(patient) if not retained else {"patient_identity": 0, "patient_history_rows": 0})
        return PatientErasure.objects.create(
            actor_id=getattr(actor, "pk", None), actor_username=actor.get_username(), patient_id=patient.pk,
            channel=channel, reason=reason.strip(),
            retention_override_reason=retention_override_reason.strip() if overridden else "",
            counts=counts,
            retained_sessions=[{"session": item.session.pk, "signed_at": item.session.notes_signed_at.isoformat(),
                                "retained_until": item.until.isoformat()} for item in retained],
        )
