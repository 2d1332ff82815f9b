"""drf-spectacular post-processing: document the error responses every operation can return,
so clients (and schemathesis) see 400/401/403/404/413/415/429 as part of the contract."""

from __future__ import annotations

from typing import Any

ERROR_SCHEMA = {
    "type": "object",
    "description": "Error body: `detail` for general errors, or one list of messages per invalid field.",
    "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
    # A list of messages per field; for list fields an object keyed by the failing item's index.
    "additionalProperties": {"oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "object"}]},
}
COMMON_ERRORS = {
    "400": "Invalid input: field-level messages.",
    "401": "Authentication required.",
    "403": "Not allowed.",
    "404": "Not found (or owned by another clinician).",
    "413": "Request body too large.",
    "415": "Unsupported media type (send JSON).",
    "429": "Too many requests.",
}


def add_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            for code, description in COMMON_ERRORS.items():
                responses.setdefault(code, {
                    "description": description,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                })
            for code in ("409",):
                if code in responses and "content" not in responses[code]:
                    responses[code]["content"] = {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    return result
