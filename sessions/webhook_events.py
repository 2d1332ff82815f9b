"""What a finished job tells its clinician's webhook subscriptions: the outbox.

``record_job_events`` runs inside the transaction that makes a job final (job execution's claim, fail and
store; the cancel service), so a job that ends has its deliveries and a rolled-back end has none. The rows
are sent after the commit; one whose message the broker loses is re-sent by the reconciler.

A payload carries ids, statuses and flags only. The note (or summary) text, the risk evidence (the
patient's words) and the error message (it can quote the transcript) are added, under ``content``, only
for a subscription with ``include_content``. The transcript itself is never sent: a receiver reads the
session through the API.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from sessions.models import NoteJob, WebhookDelivery, WebhookSubscription, job_events
from sessions.queue import enqueue_webhook_delivery
from sessions.selectors import active_webhook_subscriptions

# The parts of a risk flag that are not the patient's words (its evidence is content).
RISK_FLAG_SUMMARY_FIELDS = ("category", "severity", "current")


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def job_payload(job: NoteJob, event: str, delivery_id: uuid.UUID, *, include_content: bool) -> dict[str, Any]:
    """The body of one delivery (also stored on the delivery, so the log shows what was sent)."""
    result = job.result or {}
    flags = result.get("risk_flags") or []
    payload: dict[str, Any] = {
        "id": str(delivery_id),
        "event": event,
        "created_at": timezone.now().isoformat(),
        "job": {
            "id": str(job.pk),
            "url": reverse("job-detail", kwargs={"pk": job.pk}),
            "kind": job.kind,
            "status": job.status,
            "session": job.session_id,
            "patient": job.patient_id,
            "attempts": job.attempts,
            "created_at": _iso(job.created_at),
            "finished_at": _iso(job.finished_at),
            "needs_attention": bool(result.get("needs_attention")),
            "attention_reasons": list(result.get("attention_reasons") or []),
            "risk_flags": [{key: flag.get(key) for key in RISK_FLAG_SUMMARY_FIELDS} for flag in flags],
            "fallback": bool(result.get("fallback")),
            "applied": result.get("applied"),
            "pending_suggestion": result.get("pending_suggestion"),
        },
    }
    if include_content:
        payload["content"] = {
            "notes": result.get("generated_notes") or result.get("summary") or "",
            "risk_flags": flags,
            "error_message": job.error_message,
        }
    return payload


def _delivery(subscription: WebhookSubscription, job: NoteJob, event: str) -> WebhookDelivery:
    delivery_id = uuid.uuid4()
    return WebhookDelivery(id=delivery_id, subscription=subscription, job=job, event=event,
                           payload=job_payload(job, event, delivery_id, include_content=subscription.include_content))


def record_job_events(job: NoteJob) -> list[WebhookDelivery]:
    """Write the deliveries ``job``'s new (final) status calls for, and send them once the caller's
    transaction commits. Call it in that transaction, after the job's state change."""
    events = job_events(job)
    if not events:
        return []
    deliveries = [_delivery(subscription, job, event)
                  for subscription in active_webhook_subscriptions(job.clinician_id)
                  for event in events if subscription.wants(event)]
    if not deliveries:
        return []
    # A job becomes final once; the unique constraint makes a repeated write a no-op rather than a second send.
    WebhookDelivery.objects.bulk_create(deliveries, ignore_conflicts=True)
    ids = [str(delivery.pk) for delivery in deliveries]
    transaction.on_commit(lambda: [enqueue_webhook_delivery(delivery_id) for delivery_id in ids])
    return deliveries
