"""Log formats for the web and the workers: plain text (default) or one JSON object per line.

Both keep the structured fields that code passes as ``extra`` (the ``inference`` record's job id, token
counts, seconds, model file and digest, fallback, risk flag count): the plain format appends them as
``key=value``, the JSON format makes them keys. Those fields never hold clinical text: callers pass ids,
sizes and timings only (tests/workers/test_log_privacy.py, tests/api/test_operations.py).
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

LOG_FORMAT_VARIABLE = "THERAPY_NOTES_LOG_FORMAT"
PLAIN, JSON = "plain", "json"
LOG_FORMATS = (PLAIN, JSON)
PLAIN_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
# The keys every JSON line has, in the web process and in the workers alike, before the event's fields.
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(processName)s %(message)s"

# Record attributes that are not fields of the event: the logging module's own, Django's request
# object (its repr is noise; the status code stays), Celery's copy of its message arguments
# (already in the message) and Python 3.12's task name.
_NOT_FIELDS = frozenset({*RESERVED_ATTRS, "request", "data", "taskName", "color_message"})


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in vars(record).items() if k not in _NOT_FIELDS and not k.startswith("_")}


class PlainFormatter(logging.Formatter):
    """``fmt``, then each structured field as ``key=value`` (before any traceback)."""

    def __init__(self, fmt: str | None = PLAIN_FORMAT, datefmt: str | None = None) -> None:
        super().__init__(fmt or PLAIN_FORMAT, datefmt)

    def formatMessage(self, record: logging.LogRecord) -> str:
        line = super().formatMessage(record)
        return line + "".join(f" {key}={value}" for key, value in _fields(record).items())


class JsonFormatter(_JsonFormatter):
    """python-json-logger's formatter: JSON_FIELDS plus every structured field as a key."""

    def __init__(self, datefmt: str | None = None) -> None:
        super().__init__(JSON_FIELDS, datefmt, reserved_attrs=sorted(_NOT_FIELDS))


def formatter_for(log_format: str, fmt: str | None = None) -> logging.Formatter:
    """The formatter for ``log_format``; ``fmt`` is the plain line layout (Celery's, in a worker)."""
    return JsonFormatter() if log_format == JSON else PlainFormatter(fmt)


def use_configured_format(logger: logging.Logger, format: str | None = None, **_: object) -> None:
    """Celery's ``after_setup_logger``/``after_setup_task_logger`` receiver: Celery replaces the worker's
    log handlers with its own (Django's LOGGING does not reach them), so give them the configured format,
    with Celery's line layout in plain mode."""
    for handler in logger.handlers:
        handler.setFormatter(formatter_for(settings.THERAPY_NOTES_LOG_FORMAT, format))
