"""The Celery app. Workers run `celery -A therapy_notes worker`; settings come from Django's CELERY_*."""

from __future__ import annotations

import os

from celery import Celery
from celery.signals import (
    after_setup_logger,
    after_setup_task_logger,
    worker_init,
    worker_process_init,
    worker_process_shutdown,
)

from therapy_notes.log import use_configured_format
from workers.process import load_model_in_worker_process, warm_text_layers_before_fork, withdraw_worker_process

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "therapy_notes.settings")

app = Celery("therapy_notes")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["sessions"])  # sessions/tasks.py
worker_init.connect(warm_text_layers_before_fork)  # the main worker process, before the pool forks
worker_process_init.connect(load_model_in_worker_process)  # each pool child, after the fork
worker_process_shutdown.connect(withdraw_worker_process)  # each pool child, as it exits
# Celery installs its own log handlers in the worker: give them THERAPY_NOTES_LOG_FORMAT (plain or JSON).
after_setup_logger.connect(use_configured_format)
after_setup_task_logger.connect(use_configured_format)
