"""Sending one webhook delivery: claim the attempt, POST the signed body, record the outcome, and schedule
the next attempt with exponential backoff.

Delivery is at least once. An attempt is claimed in its own transaction before the request (so a duplicate
message finds nothing due), the request runs with no transaction open, and the outcome is written after;
a worker lost in between leaves the delivery due again once its lease ends, and the reconciler re-sends it.
Receivers drop repeats by the delivery id header.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from sessions.models import WebhookDelivery
from sessions.queue import enqueue_webhook_delivery
from sessions.webhook_signing import DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signature_header

logger = logging.getLogger(__name__)

USER_AGENT = "therapy-notes-webhooks/1"
# An attempt that has not reported back this long after its timeout is presumed lost with its worker.
LEASE_MARGIN_SECONDS = 60.0
# A retry's message may run this early (clocks of two worker hosts a little apart) and still count as due.
EARLY_SECONDS = 2.0
# Backoff doubles per attempt up to this; with the defaults (10 s, 6 attempts) it is never reached.
MAX_RETRY_DELAY_SECONDS = 3600.0


def retry_delay(attempts: int) -> float:
    """Seconds before the attempt after attempt number ``attempts`` (1-based): 10, 20, 40... by default."""
    return min(settings.THERAPY_NOTES_WEBHOOK_RETRY_SECONDS * 2 ** max(attempts - 1, 0), MAX_RETRY_DELAY_SECONDS)


def delivery_body(payload: dict[str, Any]) -> bytes:
    """The exact bytes sent and signed: compact, key-sorted JSON (the same for every retry)."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


@dataclass(frozen=True)
class AttemptOutcome:
    status_code: int | None
    error: str
    seconds: float


def post(url: str, body: bytes, headers: dict[str, str]) -> AttemptOutcome:
    """One POST. The answer's body is never read (only its status is recorded), and a redirect is a
    failure, not followed: a signed payload goes only to the URL the clinician registered."""
    started = time.monotonic()
    try:
        with requests.post(url, data=body, headers=headers, timeout=settings.THERAPY_NOTES_WEBHOOK_TIMEOUT,
                           allow_redirects=False, stream=True) as response:
            code = response.status_code
        error = "" if 200 <= code < 300 else f"HTTP {code}"
        return AttemptOutcome(code, error, time.monotonic() - started)
    except requests.Timeout:
        error = f"Timeout: no answer within {settings.THERAPY_NOTES_WEBHOOK_TIMEOUT} s"
    except requests.RequestException as exc:
        error = f"{type(exc).__name__}: {exc}"
    return AttemptOutcome(None, error, time.monotonic() - started)


def _claim(delivery_id: str) -> WebhookDelivery | None:
    with transaction.atomic():
        delivery = (WebhookDelivery.objects.select_for_update().select_related("subscription")
                    .filter(pk=delivery_id).first())
        if delivery is None:
            return None  # its subscription was deleted
        if delivery.status == WebhookDelivery.Status.PENDING and not delivery.subscription.active:
            delivery.abandon("The subscription was switched off before this delivery was sent.")
            return None
        lease = settings.THERAPY_NOTES_WEBHOOK_TIMEOUT + LEASE_MARGIN_SECONDS
        if not delivery.claim(timezone.now(), lease_seconds=lease, early_seconds=EARLY_SECONDS):
            return None  # already sent, given up, being sent, or not due yet: a duplicate message
        return delivery


def send_delivery(delivery_id: str) -> WebhookDelivery | None:
    """Make the delivery's next attempt if it is due; the delivery after it, or None when nothing was sent."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return None
    body = delivery_body(delivery.payload)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: signature_header(delivery.subscription.secret, body),
        DELIVERY_HEADER: str(delivery.pk),
        EVENT_HEADER: delivery.event,
    }
    outcome = post(delivery.subscription.url, body, headers)
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
        retry = delivery.record_attempt(
            timezone.now(), status_code=outcome.status_code, error=outcome.error, seconds=outcome.seconds,
            max_attempts=settings.THERAPY_NOTES_WEBHOOK_MAX_ATTEMPTS, retry_delay=retry_delay(delivery.attempts),
        )
    log = logger.info if outcome.error == "" else logger.warning
    log("webhook attempt", extra={"delivery_id": str(delivery.pk), "attempt": delivery.attempts,
                                  "status_code": outcome.status_code, "delivery_status": delivery.status})
    if retry:
        enqueue_webhook_delivery(str(delivery.pk), countdown=retry_delay(delivery.attempts))
    return delivery
