"""Re-enqueue jobs that the broker may have lost.

The database is the source of truth: a job still queued (or running) long after it
should have finished is sent again. Running a job twice is harmless (claim/store are
idempotent and the attempt cap stops poison jobs).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from sessions.models import NoteJob
from sessions.services import enqueue_job

logger = logging.getLogger(__name__)


def stuck_jobs(older_than_seconds: int | None = None) -> list[NoteJob]:
    age = older_than_seconds if older_than_seconds is not None else settings.THERAPY_NOTES_STUCK_JOB_SECONDS
    deadline = timezone.now() - timedelta(seconds=age)
    never_sent = Q(enqueued_at__isnull=True, created_at__lt=deadline)
    queued = Q(status=NoteJob.Status.QUEUED) & (Q(enqueued_at__lt=deadline) | never_sent)
    running = Q(status=NoteJob.Status.RUNNING, started_at__lt=deadline)
    return list(NoteJob.objects.filter(queued | running).order_by("created_at"))


def requeue_stuck_jobs(older_than_seconds: int | None = None) -> list[NoteJob]:
    jobs = stuck_jobs(older_than_seconds)
    for job in jobs:
        logger.warning("re-enqueueing stuck job", extra={"job_id": str(job.pk), "status": job.status})
        if job.status == NoteJob.Status.RUNNING:
            # The worker that had it is gone; let the next claim count a fresh attempt.
            NoteJob.objects.filter(pk=job.pk, status=NoteJob.Status.RUNNING).update(status=NoteJob.Status.QUEUED)
        enqueue_job(str(job.pk))
    return jobs
