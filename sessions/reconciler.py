"""Re-enqueue jobs, and re-send webhook deliveries, that the broker may have lost.

The database is the source of truth: a job still queued (or running) long after it
should have finished is sent again. Running a job twice is harmless (claim/store are
idempotent and the attempt cap stops poison jobs).
"""

from __future__ import annotations

import logging

from django.db import transaction

from sessions.models import NoteJob, WebhookDelivery
from sessions.queue import enqueue_job, enqueue_webhook_delivery
from sessions.selectors import due_webhook_deliveries, stuck_jobs

logger = logging.getLogger(__name__)


def requeue_stuck_jobs(older_than_seconds: int | None = None) -> list[NoteJob]:
    jobs = stuck_jobs(older_than_seconds)
    for job in jobs:
        logger.warning("re-enqueueing stuck job", extra={"job_id": str(job.pk), "status": job.status})
        with transaction.atomic():
            locked = NoteJob.objects.select_for_update().get(pk=job.pk)
            if locked.status == NoteJob.Status.RUNNING:
                locked.requeue()  # the worker that had it is gone
        enqueue_job(str(job.pk))
    return jobs


def resend_due_deliveries(older_than_seconds: int | None = None) -> list[WebhookDelivery]:
    """Send again the webhook deliveries overdue by more than the deadline. Sending one twice is harmless:
    an attempt is claimed before it is made, so the second message finds nothing due."""
    deliveries = due_webhook_deliveries(older_than_seconds)
    for delivery in deliveries:
        logger.warning("re-sending overdue webhook delivery", extra={"delivery_id": str(delivery.pk)})
        enqueue_webhook_delivery(str(delivery.pk))
    return deliveries
