"""Django project for therapy-notes. Importing it makes the Celery app available to Django."""

from therapy_notes.celery import app as celery_app

__all__ = ("celery_app",)
