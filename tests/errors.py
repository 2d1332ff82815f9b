"""Reading the API's one error body (sessions/errors.py) in tests:
{"type": ..., "errors": [{"code", "detail", "attr"}]}."""

from __future__ import annotations

from typing import Any


def _body(response: Any) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"type", "errors"}, body
    assert body["type"] in {"validation_error", "client_error", "server_error"}, body
    assert body["errors"] and all(set(item) == {"code", "detail", "attr"} for item in body["errors"]), body
    return body


def field_errors(response: Any) -> dict[str, list[str]]:
    """The messages of a validation error, by field (`attr`, dotted for nested fields)."""
    fields: dict[str, list[str]] = {}
    for item in _body(response)["errors"]:
        fields.setdefault(item["attr"], []).append(item["detail"])
    return fields


def error_code(response: Any) -> str:
    """The code of the (first) error: `notes_signed`, `not_found`, `required`..."""
    return _body(response)["errors"][0]["code"]


def error_detail(response: Any) -> str:
    return _body(response)["errors"][0]["detail"]
