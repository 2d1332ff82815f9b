"""Health-probe views answer 503 while the service is not ready (during start-up, before a worker has
loaded its model): that is their job, not a server error. Django logs every 5xx on ``django.request``
at ERROR; this filter (configured in settings.LOGGING) lowers it to WARNING for views marked as probes.

No model imports here: logging is configured before the apps are loaded.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

_PROBE_ATTRIBUTE = "therapy_notes_health_probe"

View = TypeVar("View", bound=Callable[..., object])


def health_probe(view: View) -> View:
    """Mark a view as a health probe (apply outermost, above ``require_GET``)."""
    setattr(view, _PROBE_ATTRIBUTE, True)
    return view


class ExpectedUnavailableFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        match = getattr(getattr(record, "request", None), "resolver_match", None)
        if (getattr(record, "status_code", None) == 503 and record.levelno > logging.WARNING
                and match is not None and getattr(match.func, _PROBE_ATTRIBUTE, False)):
            record.levelno, record.levelname = logging.WARNING, logging.getLevelName(logging.WARNING)
        return True
