"""The read audit: who read which patient, session, note or job, when, from where, through which endpoint.

Every read path that hands out a record (the API's retrieve, list and exports, the admin's change and
history pages, the review screen) calls ``record_reads`` with what it handed out; the entries are
append-only (sessions/models.py AccessEvent) and never hold clinical text: ids, the username, the
request's method and path (no query string: an admin search can be a patient's name) and the client's
address. An entry is written before the response leaves: a read that cannot be audited fails.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from rest_framework.throttling import BaseThrottle

from sessions.models import AccessEvent, NoteJob, Patient, Session
from sessions.selectors import expired_access_events

# The auditor role: the model's view permission, given to an auditors group (or held by superusers).
AUDITOR_PERMISSION = "therapy_sessions.view_accessevent"


def _patient_id(obj: Any) -> int | None:
    if isinstance(obj, Patient):
        return obj.pk
    if isinstance(obj, (Session, NoteJob)):
        return obj.patient_id
    return None


def client_address(request: HttpRequest) -> str:
    """The address the login throttle counts: REMOTE_ADDR, or the one THERAPY_NOTES_NUM_PROXIES trusted
    proxies wrote into X-Forwarded-For; never an address the client chose."""
    return (BaseThrottle().get_ident(request) or "")[:64]


def record_reads(request: HttpRequest, object_type: str, objects: Iterable[Any], channel: str) -> int:
    """One entry per object read by the request's user; returns how many were written."""
    user = request.user
    now = timezone.now()
    common = {
        "at": now, "actor_id": user.pk, "actor_username": user.get_username(), "channel": channel,
        "method": request.method or "", "endpoint": request.path[:255], "client_address": client_address(request),
    }
    entries = [AccessEvent(object_type=object_type, object_id=str(obj.pk), patient_id=_patient_id(obj), **common)
               for obj in objects]
    AccessEvent.objects.bulk_create(entries)
    return len(entries)


def prune(retention_days: int) -> int:
    """Delete the entries older than ``retention_days``: the one way entries ever leave the log (a queryset
    delete, which AccessEvent.delete's refusal does not stop). Returns how many were deleted."""
    deleted, _ = expired_access_events(retention_days).delete()
    return deleted
