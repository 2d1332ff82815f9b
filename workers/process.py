"""Worker process lifecycle, connected to Celery's signals by ``therapy_notes/celery.py``."""

from __future__ import annotations

from workers import metrics
from workers.model_holder import get_engine


def warm_text_layers_before_fork(**_: object) -> None:
    # In the main worker process, before the pool forks: the risk classifier (trained from its CSV in a
    # few seconds) and the language profiles are then inherited by every child. Doing this in each child
    # would outlast Celery's wait for a new child's first message (worker_proc_alive_timeout, 4 s), and
    # the master would kill the child and start another, forever.
    # The English word list behind grounding's non-word check is loaded here too, for the same reason.
    from summarizer.risk import warm
    from summarizer.words import dictionary

    warm()
    dictionary()


def load_model_in_worker_process(**_: object) -> None:
    # Load before the first job arrives so no job pays the load time; then the process is ready and
    # says so until it stops (the heartbeat is what /health/ready counts).
    engine = get_engine()
    metrics.start_heartbeat(engine.identity.as_dict())


def withdraw_worker_process(**_: object) -> None:
    # worker_process_shutdown runs in the exiting pool child: readiness should not wait for the TTL.
    metrics.stop_heartbeat()
