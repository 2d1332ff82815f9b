"""Refuse oversized request bodies before anything reads them (DRF parsers read the stream
directly, so Django's DATA_UPLOAD_MAX_MEMORY_SIZE alone does not cover API requests)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse


class RequestSizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return JsonResponse({"detail": "Invalid Content-Length header.", "code": "bad_length"}, status=400)
        if limit is not None and length > limit:
            return JsonResponse(
                {"detail": f"Request body too large: {length} bytes; the limit is {limit} bytes "
                           "(THERAPY_NOTES_MAX_REQUEST_BYTES).", "code": "request_too_large"},
                status=413,
            )
        return self.get_response(request)
