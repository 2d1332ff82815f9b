"""The API's JSON parser: a body nested deeper than any request needs is a 400, never a 500.

The standard library's decoder recurses once per array/object level, so a body of a few thousand
``[`` raises RecursionError (a 500 on every JSON endpoint, the unauthenticated login included); a
body that parses but is nested deeply would hit the same limit later, in validation or in the
Idempotency-Key fingerprint. No request of this API nests more than three levels.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_JSON_DEPTH = 32
TOO_DEEP_MESSAGE = (f"JSON parse error - the body is nested too deeply: at most {MAX_JSON_DEPTH} levels of "
                    "arrays and objects are accepted.")


def json_depth_exceeds(data: Any, limit: int) -> bool:
    """Whether ``data`` nests arrays/objects more than ``limit`` levels (iterative: no recursion)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, Mapping):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class BoundedJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(TOO_DEEP_MESSAGE) from None
        if json_depth_exceeds(data, MAX_JSON_DEPTH):
            raise ParseError(TOO_DEEP_MESSAGE)
        return data
