"""The API's one error shape, and the errors the views raise.

Every 4xx/5xx of the API (DRF views through drf-standardized-errors' exception handler, and the few
answers made outside DRF: the size limit, an unknown /api/ path, /metrics) has this body::

    {"type": "validation_error" | "client_error" | "server_error",
     "errors": [{"code": "required", "detail": "This field is required.", "attr": "session_date"}]}

``attr`` is the invalid field for a validation error (a dotted path for nested and list fields:
``session_ids.0``), null otherwise; ``code`` is stable for clients to branch on, ``detail`` is for people.
Only validation errors carry more than one item.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers, status
from rest_framework.exceptions import APIException

VALIDATION_ERROR = "validation_error"
CLIENT_ERROR = "client_error"
SERVER_ERROR = "server_error"
ERROR_TYPES = [VALIDATION_ERROR, CLIENT_ERROR, SERVER_ERROR]


def error_body(code: str, detail: str, *, attr: str | None = None, error_type: str | None = None,
               status_code: int = 400) -> dict[str, Any]:
    """The error body for answers made outside DRF's exception handler (same shape as its)."""
    if error_type is None:
        error_type = CLIENT_ERROR if status_code < 500 else SERVER_ERROR
    return {"type": error_type, "errors": [{"code": code, "detail": detail, "attr": attr}]}


class Conflict(APIException):
    """409: the request is valid but the record's state does not allow it (``code`` says why)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the record's current state."
    default_code = "conflict"


class UnprocessableEntity(APIException):
    """422: e.g. an Idempotency-Key reused on a different request."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "The request cannot be processed."
    default_code = "unprocessable"


class DatabaseBusy(APIException):
    """503 with Retry-After: the database was busy with other writes (SQLite's one writer); retry."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The database is busy with other writes; retry in a moment."
    default_code = "database_busy"
    wait = 2  # seconds; drf-standardized-errors sends it as Retry-After


class ErrorItemSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable machine-readable reason, e.g. `required`, `not_found`, "
                                           "`notes_signed`, `throttled`.")
    detail = serializers.CharField(help_text="Human-readable message.")
    attr = serializers.CharField(allow_null=True, help_text="The invalid field (dotted path for nested and list "
                                                            "fields, e.g. `session_ids.0`); null when not a field.")


class ErrorResponseSerializer(serializers.Serializer):
    """The body of every 4xx and 5xx answer of the API."""

    type = serializers.ChoiceField(choices=ERROR_TYPES)
    errors = ErrorItemSerializer(many=True)
