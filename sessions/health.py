"""Liveness and readiness endpoints. No authentication is needed for the status (load balancers,
Docker's healthcheck); the details (model path, worker hosts and pids, counters) are shown only to
staff, signed in or with an API token: they map the deployment for anyone who can reach it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import redis
from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET
from knox.auth import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from sessions.probes import health_probe
from workers import metrics


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:  # noqa: BLE001 - health reports, never raises
        return False


def _broker_ok() -> bool:
    try:
        return bool(redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=2).ping())
    except redis.RedisError:
        return False


def _workers() -> list[dict[str, Any]]:
    try:
        return metrics.read_all()
    except redis.RedisError:
        return []


def _configured_model() -> dict[str, Any]:
    path = Path(settings.THERAPY_NOTES_MODEL_PATH)
    exists = path.is_file()
    return {"model_path": str(path), "file_exists": exists, "size_bytes": path.stat().st_size if exists else None}


# What an anonymous caller sees: enough for a probe and an operator's first look, nothing about hosts.
PUBLIC_FIELDS = ("status", "database", "broker", "model_loaded")


def _staff_caller(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return bool(user.is_staff)
    try:  # an API token (scripts, the bench), checked as the API checks it
        authenticated = TokenAuthentication().authenticate(request)
    except (AuthenticationFailed, DatabaseError):  # health answers; a bad token just gets the public view
        return False
    return bool(authenticated and authenticated[0].is_active and authenticated[0].is_staff)


def _for_caller(request: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
    return body if _staff_caller(request) else {name: body[name] for name in PUBLIC_FIELDS}


def _status(require_worker: bool) -> tuple[dict[str, Any], bool]:
    workers = _workers()  # only live ones: each snapshot is its process's heartbeat (workers/metrics.py)
    loaded = metrics.ready(workers, settings.CELERY_TASK_DEFAULT_QUEUE)
    body = {
        "database": _database_ok(),
        "broker": _broker_ok(),
        "model_loaded": bool(loaded),
        "model": loaded[0]["model"] if loaded else None,
        "configured_model": _configured_model(),
        "workers": workers,
    }
    ok = body["database"] and body["broker"] and (bool(loaded) or not require_worker)
    body["status"] = "ok" if ok else "degraded"
    return body, ok


@health_probe
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """Liveness: the web process answers. Details are informative, the status code is 200."""
    body, _ = _status(require_worker=False)
    return JsonResponse(_for_caller(request, body))


@health_probe
@require_GET
def health_ready(request: HttpRequest) -> JsonResponse:
    """Readiness: database, broker and at least one live worker (a heartbeat within the last
    SNAPSHOT_TTL_SECONDS) with a loaded model, consuming the queue this process sends jobs to."""
    body, ok = _status(require_worker=True)
    return JsonResponse(_for_caller(request, body), status=200 if ok else 503)
