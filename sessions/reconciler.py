"""Re-enqueue jobs that the broker may have lost, or that died with their worker, and re-send webhook
deliveries whose message was lost.

The database is the source of truth. Two kinds of job are sent again:

- a job still queued (or running) long after it should have finished (``THERAPY_NOTES_STUCK_JOB_SECONDS``):
  the broker lost its message (a Redis restart without persistence, a FLUSHALL);
- a running job whose claimant's heartbeat is gone (``NoteJob.claimed_by`` against the heartbeat keys of
  workers/metrics.py): its whole worker died (SIGKILL, OOM, the host). Its message stays unacknowledged in
  Redis until the visibility timeout (``THERAPY_NOTES_VISIBILITY_TIMEOUT``, minutes), which remains the
  backstop; the heartbeat finds it within one heartbeat TTL plus one reconcile interval.

A job taken back is put back to queued (the next claim counts a new attempt, and the attempt cap stops a
poison job) and sent again. Running a job twice is harmless: claiming and storing lock the job row, a
final job is never written again, and only the current claim's outcome is stored.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import redis
from django.db import transaction
from django.utils import timezone

from sessions.models import NoteJob, WebhookDelivery
from sessions.queue import enqueue_job, enqueue_webhook_delivery
from sessions.selectors import due_webhook_deliveries, jobs_of_lost_workers, stuck_jobs
from workers import metrics

logger = logging.getLogger(__name__)


def _lost_with_their_worker() -> list[NoteJob]:
    try:
        live = metrics.live_worker_ids()
    except redis.RedisError:
        # Unreadable heartbeats say nothing about the workers: leave their jobs to the stuck-job age.
        logger.warning("worker heartbeats unreadable; only stuck jobs are re-sent")
        return []
    if not live:
        # The beat task runs in a worker, whose own heartbeat is then alive: no heartbeat at all means
        # Redis has just lost its keys (a restart, a FLUSHALL; the workers publish again within a
        # heartbeat interval), or no worker runs to take a job anyway. Neither says a job's worker died.
        return []
    # A claimant's heartbeat lives one TTL after its last beat: a job claimed more recently than that
    # whose claimant has none never had one seen, which is not evidence of a death.
    claimed_before = timezone.now() - timedelta(seconds=metrics.SNAPSHOT_TTL_SECONDS)
    return jobs_of_lost_workers(live, claimed_before)


def _take_back(seen: NoteJob) -> bool:
    """Under the row lock, make the job ready to be sent again; False when it no longer needs it (it
    finished, or another worker claimed it since the look)."""
    with transaction.atomic():
        job = NoteJob.objects.select_for_update().get(pk=seen.pk)
        if job.status == NoteJob.Status.QUEUED:
            return True
        if job.status == NoteJob.Status.RUNNING and job.claimed_by == seen.claimed_by:
            job.requeue()  # the worker that had it is gone
            return True
        return False


def requeue_stuck_jobs(older_than_seconds: int | None = None) -> list[NoteJob]:
    """Send again the stuck jobs and those whose worker died; returns the jobs sent."""
    found = {job.pk: (job, "stuck") for job in stuck_jobs(older_than_seconds)}
    for job in _lost_with_their_worker():
        found.setdefault(job.pk, (job, "worker lost"))
    sent = []
    for job, reason in sorted(found.values(), key=lambda item: item[0].created_at):
        if not _take_back(job):
            continue
        logger.warning("re-enqueueing job (%s)", reason, extra={"job_id": str(job.pk), "status": job.status,
                                                                "claimed_by": job.claimed_by})
        enqueue_job(str(job.pk))
        sent.append(job)
    return sent


def resend_due_deliveries(older_than_seconds: int | None = None) -> list[WebhookDelivery]:
    """Send again the webhook deliveries overdue by more than the deadline. Sending one twice is harmless:
    an attempt is claimed before it is made, so the second message finds nothing due."""
    deliveries = due_webhook_deliveries(older_than_seconds)
    for delivery in deliveries:
        logger.warning("re-sending overdue webhook delivery", extra={"delivery_id": str(delivery.pk)})
        enqueue_webhook_delivery(str(delivery.pk))
    return deliveries
