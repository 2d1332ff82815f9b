"""Signing webhook bodies, and the check a receiver runs (plain Python: a receiver can copy this file).

A delivery carries ``X-TherapyNotes-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>``, where the HMAC is
keyed with the subscription's secret over ``f"{t}.{body}"`` (the exact bytes of the request body), the
scheme Stripe uses. Signing the timestamp with the body lets a receiver refuse a captured request replayed
later: ``verify_signature`` rejects a timestamp more than ``SIGNATURE_TOLERANCE_SECONDS`` away from its
clock. ``X-TherapyNotes-Delivery`` stays the same across the retries of one delivery: a receiver that
records the ids it has processed also drops a retry of a delivery it already took.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

SIGNATURE_HEADER = "X-TherapyNotes-Signature"
DELIVERY_HEADER = "X-TherapyNotes-Delivery"
EVENT_HEADER = "X-TherapyNotes-Event"
SIGNATURE_SCHEME = "v1"
# A signature older (or further in the future) than this is refused: a replayed request is stale.
SIGNATURE_TOLERANCE_SECONDS = 300
SECRET_PREFIX = "whsec_"


class WebhookSignatureError(ValueError):
    """The signature header is missing or malformed, its timestamp is outside the tolerance, or no
    signature in it matches the body."""


def new_secret() -> str:
    """A subscription's signing secret: 256 random bits, URL-safe."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def _digest(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The value of ``SIGNATURE_HEADER`` for ``body`` sent now (or at ``timestamp``)."""
    t = int(time.time()) if timestamp is None else timestamp
    return f"t={t},{SIGNATURE_SCHEME}={_digest(secret, t, body)}"


def verify_signature(secret: str, header: str, body: bytes, *, tolerance: int = SIGNATURE_TOLERANCE_SECONDS,
                     now: float | None = None) -> int:
    """Check a delivery as a receiver must: the header's timestamp within ``tolerance`` seconds of ``now``
    and one ``v1`` signature equal (in constant time) to the HMAC of ``f"{t}.{body}"``. Returns the
    timestamp; raises ``WebhookSignatureError`` otherwise. ``body`` is the raw request body: parsing and
    re-serialising the JSON first changes the bytes and fails the check."""
    timestamp: int | None = None
    candidates: list[str] = []
    for item in (header or "").split(","):
        key, sep, value = item.strip().partition("=")
        if not sep:
            continue
        if key == "t":
            try:
                timestamp = int(value)
            except ValueError as exc:
                raise WebhookSignatureError("The signature's timestamp is not an integer.") from exc
        elif key == SIGNATURE_SCHEME:
            candidates.append(value)
    if timestamp is None or not candidates:
        raise WebhookSignatureError(f"The signature header needs t=<unix seconds> and {SIGNATURE_SCHEME}=<hex>.")
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        raise WebhookSignatureError(f"The signature's timestamp is more than {tolerance} s from now (a replay?).")
    expected = _digest(secret, timestamp, body)
    if not any(hmac.compare_digest(expected, candidate) for candidate in candidates):
        raise WebhookSignatureError("No signature matches the body.")
    return timestamp
