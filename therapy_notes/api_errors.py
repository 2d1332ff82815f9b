"""JSON errors for API paths that never reach a DRF view (e.g. a malformed id in the URL)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination


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
