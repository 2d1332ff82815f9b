"""Celery tasks: thin wrappers that load the job, call the runner, and record failures."""

from __future__ import annotations

import logging

from celery import shared_task
from celery.signals import worker_init, worker_process_init

from sessions.job_execution import execute_job
from workers import metrics
from workers.model_holder import get_engine

logger = logging.getLogger(__name__)


@worker_init.connect
def warm_risk_layer_before_fork(**_: object) -> None:
    # In the main worker process, before the pool forks: the risk classifier (trained from its CSV in a
    # few seconds) and the language profiles are then inherited by every child. Doing this in each child
    # would outlast Celery's wait for a new child's first message (worker_proc_alive_timeout, 4 s), and
    # the master would kill the child and start another, forever.
    from summarizer.risk import warm

    warm()


@worker_process_init.connect
def load_model_in_worker_process(**_: object) -> None:
    # Load before the first job arrives so no job pays the load time.
    engine = get_engine()
    metrics.publish(engine.identity.as_dict())


@shared_task(name="workers.run_note_job", acks_late=True, reject_on_worker_lost=True)
def run_note_job(job_id: str) -> None:
    engine = get_engine()
    report = execute_job(job_id, engine)
    if report.ran:
        metrics.record_report(report, engine.identity.as_dict())


@shared_task(name="workers.reconcile_stuck_jobs")
def reconcile_stuck_jobs() -> int:
    from sessions.reconciler import requeue_stuck_jobs

    return len(requeue_stuck_jobs())
