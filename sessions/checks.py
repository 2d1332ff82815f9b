"""System checks (`manage.py check --deploy`): a deployment must not run on the development key file."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def field_encryption_key_source(app_configs: Any, **kwargs: Any) -> list[Warning]:
    if not getattr(settings, "THERAPY_NOTES_FIELD_KEYS_FROM_DEV_FILE", False):
        return []
    return [Warning(
        "Transcripts and notes are encrypted with the development key file "
        f"{settings.THERAPY_NOTES_FIELD_KEYS_SOURCE}.",
        hint="Set THERAPY_NOTES_FIELD_ENCRYPTION_KEYS (and THERAPY_NOTES_PRODUCTION=1), and back the key up: "
             "see the README's 'Security and privacy for operators'.",
        id="therapy_notes.W001",
    )]
