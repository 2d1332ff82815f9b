"""The API's errors in one shape (sessions/errors.py): drf-standardized-errors' exception handler for DRF
views, plus the answers made outside DRF (an unknown /api/ path, a server error outside a view), and the
pagination rules (``?page=``, ``?page_size=`` up to a documented maximum)."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from drf_standardized_errors.handler import ExceptionHandler
from rest_framework.exceptions import APIException, NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request

from sessions.errors import DatabaseBusy, error_body

_POSITIVE_INTEGER = re.compile(r"[1-9][0-9]{0,17}")  # ASCII digits only: "²".isdigit() is True, int() refuses it


def _database_busy(exc: BaseException) -> bool:
    # SQLite allows one writer: past its busy timeout a concurrent write fails with "database is locked"
    # (or "database table is locked"). The request was fine; the server could not serve it in time.
    return isinstance(exc, OperationalError) and "is locked" in str(exc)


class ApiExceptionHandler(ExceptionHandler):
    """drf-standardized-errors' handler, plus: a busy database is a 503 with Retry-After (try again), not a
    500; only real server errors (500) are reported as request exceptions."""

    def convert_known_exceptions(self, exc: Exception) -> Exception:
        if _database_busy(exc):
            return DatabaseBusy()
        return super().convert_known_exceptions(exc)

    def report_exception(self, exc: APIException, response: Any) -> None:
        if exc.status_code >= 500 and not isinstance(exc, DatabaseBusy):
            super().report_exception(exc, response)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(error_body("not_found", "Not found.", status_code=404), status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(error_body("error", "Server Error (500)", status_code=500), status=500)
    return defaults.server_error(request)


class StrictPageNumberPagination(PageNumberPagination):
    """`?page=` must be a positive integer: anything else is a 404 'Invalid page', never page 1.
    `?page_size=` (default PAGE_SIZE) is a whole number from 1 to THERAPY_NOTES_MAX_PAGE_SIZE; anything
    else is a 400 on `page_size`, never a silently different page size."""

    page_size_query_param = "page_size"

    @property
    def max_page_size(self) -> int:  # type: ignore[override]
        return settings.THERAPY_NOTES_MAX_PAGE_SIZE

    def get_page_number(self, request: Request, paginator: Any) -> Any:
        raw = request.query_params.getlist(self.page_query_param)
        if raw and not all(_POSITIVE_INTEGER.fullmatch(value) for value in raw):
            raise NotFound(self.invalid_page_message.format(page_number=raw[-1], message="not a positive integer"))
        return super().get_page_number(request, paginator)

    def get_page_size(self, request: Request) -> int | None:
        raw = request.query_params.getlist(self.page_size_query_param)
        if not raw:
            return self.page_size
        limit = self.max_page_size
        if not all(_POSITIVE_INTEGER.fullmatch(value) and int(value) <= limit for value in raw):
            raise ValidationError({self.page_size_query_param: [f"A whole number from 1 to {limit}."]},
                                  code="invalid_page_size")
        return int(raw[-1])

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
            elif parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size, default=self.page_size)
                parameter["description"] = (f"Results per page: 1 to {self.max_page_size} "
                                            f"(THERAPY_NOTES_MAX_PAGE_SIZE), default {self.page_size}.")
        return parameters
