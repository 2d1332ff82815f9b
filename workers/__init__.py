"""Celery tasks and the per-process model holder."""
