"""Sending a job id to the broker.

The web process sends the task by name: it never imports the worker's code (the summarizer, the
engine), and the tasks module can use services, job execution and the reconciler without an import
circle. The database stays the source of truth: a message the broker loses is sent again by the
reconciler.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import current_app
from django.conf import settings
from django.utils import timezone

from sessions.models import NoteJob

logger = logging.getLogger(__name__)

# Task names are part of the message format: kept as they were so queued messages still route.
RUN_NOTE_JOB_TASK = "workers.run_note_job"
RECONCILE_STUCK_JOBS_TASK = "workers.reconcile_stuck_jobs"
DELIVER_WEBHOOK_TASK = "workers.deliver_webhook"


def _send(task: str, args: list[str], extra: dict[str, str], **options: Any) -> bool:
    """Send one task; on a broker outage log it and say so (False). The caller's row stays in the
    database as it was, where the reconciler finds and re-sends it: nothing is lost."""
    try:
        current_app.send_task(task, args=args, queue=settings.CELERY_TASK_DEFAULT_QUEUE, **options)
    except Exception:
        logger.exception("enqueue failed; the reconciler will retry", extra=extra)
        return False
    return True


def enqueue_job(job_id: str) -> bool:
    """Send the job id to the broker. A broker outage leaves the job queued in the
    database, where the reconciler finds and re-sends it: nothing is lost."""
    if not _send(RUN_NOTE_JOB_TASK, [job_id], {"job_id": job_id}, task_id=job_id):
        return False
    NoteJob.objects.filter(pk=job_id).update(enqueued_at=timezone.now())
    return True


def enqueue_webhook_delivery(delivery_id: str, countdown: float | None = None) -> bool:
    """Send a webhook delivery's id (to be tried now, or in ``countdown`` seconds). A lost message leaves
    the delivery pending in the database, where the reconciler finds and re-sends it."""
    return _send(DELIVER_WEBHOOK_TASK, [delivery_id], {"delivery_id": delivery_id}, countdown=countdown)


def queue_depth(queue: str) -> int:
    """Messages waiting in ``queue`` on the broker, every priority level counted (kombu's passive declare,
    so this works for any broker). A queue that does not exist holds nothing: Redis drops an empty list."""
    with current_app.connection_for_read() as connection:
        try:
            return int(connection.default_channel.queue_declare(queue=queue, passive=True).message_count)
        except connection.channel_errors:
            return 0
