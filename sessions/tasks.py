"""Celery tasks: thin wrappers that run a job (or the reconciler) and count what happened.

They sit above job execution and the reconciler and below nothing: the web process sends them by
name (``sessions/queue.py``) and never imports this module.
"""

from __future__ import annotations

from celery import shared_task

from sessions.job_execution import execute_job
from sessions.models import WebhookDelivery
from sessions.queue import DELIVER_WEBHOOK_TASK, RECONCILE_STUCK_JOBS_TASK, RUN_NOTE_JOB_TASK
from sessions.reconciler import requeue_stuck_jobs, resend_due_deliveries
from sessions.webhook_delivery import send_delivery
from workers import metrics
from workers.model_holder import get_engine


@shared_task(name=RUN_NOTE_JOB_TASK, acks_late=True, reject_on_worker_lost=True)
def run_note_job(job_id: str) -> None:
    engine = get_engine()
    engine.on_generation = metrics.record_generation  # each generation's speed and threads; slow ones warned
    report = execute_job(job_id, engine)
    if report.ran:
        metrics.record_outcome(succeeded=report.succeeded, outcome=report.outcome, model=engine.identity.as_dict())


@shared_task(name=RECONCILE_STUCK_JOBS_TASK)
def reconcile_stuck_jobs() -> int:
    """Jobs re-enqueued; overdue webhook deliveries are re-sent by the same beat."""
    resend_due_deliveries()
    return len(requeue_stuck_jobs())


@shared_task(name=DELIVER_WEBHOOK_TASK)
def deliver_webhook(delivery_id: str) -> None:
    delivery = send_delivery(delivery_id)
    if delivery is not None:  # None: nothing was sent (a duplicate message, a switched-off subscription)
        metrics.record_webhook_attempt(attempt_outcome(delivery))


def attempt_outcome(delivery: WebhookDelivery) -> str:
    """What the attempt just made came to, read from the delivery it left behind."""
    if delivery.status == WebhookDelivery.Status.SUCCEEDED:
        return metrics.WEBHOOK_DELIVERED
    if delivery.status == WebhookDelivery.Status.FAILED:
        return metrics.WEBHOOK_FAILED
    return metrics.WEBHOOK_RETRIED
