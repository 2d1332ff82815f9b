"""Request/response guards that apply to every path.

RequestSizeLimitMiddleware refuses oversized request bodies before anything reads them (DRF parsers
read the stream directly, so Django's DATA_UPLOAD_MAX_MEMORY_SIZE alone does not cover API requests).
ContentSecurityPolicyMiddleware sends the Content-Security-Policy header (settings.CONTENT_SECURITY_POLICY).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from sessions.errors import error_body


class RequestSizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return JsonResponse(error_body("bad_length", "Invalid Content-Length header."), status=400)
        if limit is not None and length > limit:
            return JsonResponse(
                error_body("request_too_large", f"Request body too large: {length} bytes; the limit is {limit} "
                           "bytes (THERAPY_NOTES_MAX_REQUEST_BYTES).", status_code=413),
                status=413,
            )
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """Every response says where its page may load code and content from (settings.CONTENT_SECURITY_POLICY):
    the admin, the review screen and the API docs load everything from this origin, so an injected
    script or a third-party resource is refused by the browser. A view that sets its own policy keeps it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = settings.CONTENT_SECURITY_POLICY
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response
