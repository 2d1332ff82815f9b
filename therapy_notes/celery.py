"""The Celery app. Workers run `celery -A therapy_notes worker`; settings come from Django's CELERY_*."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "therapy_notes.settings")

app = Celery("therapy_notes")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["workers"])
