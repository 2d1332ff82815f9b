"""drf-spectacular post-processing: the headers that come with error responses.

The error bodies themselves are documented per operation by drf-standardized-errors' AutoSchema (one
`ErrorResponse` component, sessions/errors.py); this adds `Retry-After` to every 429 and 503 and
`WWW-Authenticate` to every 401, so a client generator sees them too."""

from __future__ import annotations

from typing import Any

from drf_standardized_errors.openapi import AutoSchema as StandardizedErrorsAutoSchema

ERROR_HEADERS = {
    "401": {"WWW-Authenticate": {"schema": {"type": "string"},
                                 "description": "How to authenticate: `Token` (an API token)."}},
    "429": {"Retry-After": {"schema": {"type": "integer"},
                            "description": "Seconds until the next request is allowed."}},
    "503": {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait before retrying."}},
}


def add_error_headers(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            for code, response in operation.get("responses", {}).items():
                for name, header in ERROR_HEADERS.get(code, {}).items():
                    response.setdefault("headers", {}).setdefault(name, header)
    return result


class AutoSchema(StandardizedErrorsAutoSchema):
    """drf-standardized-errors' schema, documenting 403 on every operation: besides permissions, a signed-in
    browser session without its CSRF token gets a 403 on any write, and a staff-only check anywhere."""

    def _should_add_http403_error_response(self) -> bool:
        return True
