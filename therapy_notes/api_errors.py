"""JSON errors: for API paths that never reach a DRF view (e.g. a malformed id in the URL), and the
DRF exception handler (errors that are the server being busy, not broken, answered as such)."""

from __future__ import annotations

from typing import Any

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

# Seconds a client waits before retrying when the database was busy (SQLite's single writer).
DATABASE_BUSY_RETRY_AFTER = 2


def _database_busy(exc: BaseException) -> bool:
    # SQLite allows one writer: past its busy timeout a concurrent write fails with "database is locked"
    # (or "database table is locked"). The request was fine; the server could not serve it in time.
    return isinstance(exc, OperationalError) and "is locked" in str(exc)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus: a busy database is a 503 with Retry-After (try again), not a 500."""
    response = drf_exception_handler(exc, context)
    if response is None and _database_busy(exc):
        set_rollback()
        response = Response(
            {"detail": "The database is busy with other writes; retry in a moment.", "code": "database_busy"},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(DATABASE_BUSY_RETRY_AFTER)},
        )
    return response


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found.", "code": "not_found"}, status=404)
    return defaults.page_not_found(request, exception)


class StrictPageNumberPagination(PageNumberPagination):
    """`?page=` must be a positive integer: anything else is a 404 'Invalid page', never page 1."""

    def get_page_number(self, request, paginator):
        raw = request.query_params.getlist(self.page_query_param)
        if raw and not all(value.isdigit() and int(value) > 0 for value in raw):
            raise NotFound(self.invalid_page_message.format(page_number=raw[-1], message="not a positive integer"))
        return super().get_page_number(request, paginator)
