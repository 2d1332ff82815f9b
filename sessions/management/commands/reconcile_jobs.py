from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from sessions.reconciler import requeue_stuck_jobs, resend_due_deliveries


class Command(BaseCommand):
    help = ("Re-enqueue jobs stuck in queued/running past a deadline (e.g. after the broker lost its data), "
            "and re-send webhook deliveries overdue by as long.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--older-than", type=int, default=None,
                            help="Seconds; default THERAPY_NOTES_STUCK_JOB_SECONDS.")

    def handle(self, *args: Any, **options: Any) -> None:
        jobs = requeue_stuck_jobs(options["older_than"])
        for job in jobs:
            self.stdout.write(f"re-enqueued {job.pk} ({job.kind}, was {job.status}, attempts {job.attempts})")
        self.stdout.write(f"{len(jobs)} job(s) re-enqueued")
        deliveries = resend_due_deliveries(options["older_than"])
        self.stdout.write(f"{len(deliveries)} webhook delivery(ies) re-sent")
