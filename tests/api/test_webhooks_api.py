"""Webhook subscriptions over the API, and the signature a receiver checks."""

from __future__ import annotations

import time

import pytest

from sessions.models import WebhookDelivery, WebhookEvent, WebhookSubscription
from sessions.webhook_signing import WebhookSignatureError, new_secret, signature_header, verify_signature

ALL_EVENTS = sorted(WebhookEvent.values)


# --- the signature -------------------------------------------------------------------------------


def test_a_signed_body_verifies_and_a_tampered_one_does_not() -> None:
    secret = new_secret()
    body = b'{"event":"job.succeeded","job":{"id":"1"}}'
    header = signature_header(secret, body)
    assert verify_signature(secret, header, body) == int(header.split(",")[0][2:])
    with pytest.raises(WebhookSignatureError, match="No signature matches"):
        verify_signature(secret, header, body.replace(b"succeeded", b"failed"))
    with pytest.raises(WebhookSignatureError, match="No signature matches"):
        verify_signature(new_secret(), header, body)  # another subscription's secret


def test_an_old_or_malformed_signature_is_refused() -> None:
    secret, body = new_secret(), b"{}"
    stale = signature_header(secret, body, timestamp=int(time.time()) - 301)
    with pytest.raises(WebhookSignatureError, match="replay"):
        verify_signature(secret, stale, body)
    assert verify_signature(secret, stale, body, tolerance=400)  # within a receiver's own, wider window
    # The timestamp is signed: moving it forward to pass the window breaks the signature.
    moved = stale.replace(stale.split(",")[0], f"t={int(time.time())}")
    with pytest.raises(WebhookSignatureError, match="No signature matches"):
        verify_signature(secret, moved, body)
    for header in ["", "v1=abc", "t=1", "t=x,v1=abc", "garbage"]:
        with pytest.raises(WebhookSignatureError):
            verify_signature(secret, header, body)


# --- subscriptions ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_create_shows_the_secret_once_and_defaults_to_every_event_without_content(api, clinician) -> None:
    response = api.post("/api/webhooks/", {"url": "https://hooks.example.org/notes"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["secret"].startswith("whsec_") and len(body["secret"]) > 40
    assert body["event_types"] == ALL_EVENTS
    assert body["active"] is True and body["include_content"] is False
    stored = WebhookSubscription.objects.get(pk=body["id"])
    assert stored.clinician == clinician and stored.secret == body["secret"]
    # Never again: not on the detail, the list or an update.
    assert "secret" not in api.get(f"/api/webhooks/{body['id']}/").json()
    assert all("secret" not in item for item in api.get("/api/webhooks/").json()["results"])
    patched = api.patch(f"/api/webhooks/{body['id']}/", {"event_types": ["job.failed", "job.failed"],
                                                         "active": False}, format="json")
    assert patched.status_code == 200 and "secret" not in patched.json()
    assert patched.json()["event_types"] == ["job.failed"] and patched.json()["active"] is False


@pytest.mark.django_db
def test_rotating_the_secret_replaces_it_and_shows_the_new_one(api) -> None:
    created = api.post("/api/webhooks/", {"url": "http://127.0.0.1:9/hook"}, format="json").json()
    rotated = api.post(f"/api/webhooks/{created['id']}/rotate-secret")
    assert rotated.status_code == 200
    assert rotated.json()["secret"].startswith("whsec_") and rotated.json()["secret"] != created["secret"]
    assert WebhookSubscription.objects.get(pk=created["id"]).secret == rotated.json()["secret"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["not a url", "ftp://files.example.org/x", "javascript:alert(1)", "", "//x.org/a"])
def test_an_invalid_url_is_a_400_naming_the_url(api, url) -> None:
    response = api.post("/api/webhooks/", {"url": url}, format="json")
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["type"] == "validation_error"
    assert [error["attr"] for error in body["errors"]] == ["url"]
    assert not WebhookSubscription.objects.exists()


@pytest.mark.django_db
def test_unknown_or_no_event_types_are_a_400(api) -> None:
    for event_types in (["job.exploded"], [], "job.failed"):
        response = api.post("/api/webhooks/", {"url": "https://x.example.org/", "event_types": event_types},
                            format="json")
        assert response.status_code == 400, (event_types, response.content)
        assert response.json()["errors"][0]["attr"].startswith("event_types")


@pytest.mark.django_db
def test_another_clinicians_subscription_is_a_404_everywhere(api, other_api, other_clinician) -> None:
    theirs = other_api.post("/api/webhooks/", {"url": "https://theirs.example.org/"}, format="json").json()
    mine = api.post("/api/webhooks/", {"url": "https://mine.example.org/"}, format="json").json()
    path = f"/api/webhooks/{theirs['id']}/"
    for response in (api.get(path), api.patch(path, {"active": False}, format="json"),
                     api.put(path, {"url": "https://stolen.example.org/"}, format="json"), api.delete(path),
                     api.post(path + "rotate-secret"), api.get(path + "deliveries/")):
        assert response.status_code == 404, response.content
        assert response.json()["errors"][0]["code"] == "not_found"
    stored = WebhookSubscription.objects.get(pk=theirs["id"])
    assert stored.url == "https://theirs.example.org/" and stored.active and stored.secret == theirs["secret"]
    assert [item["id"] for item in api.get("/api/webhooks/").json()["results"]] == [mine["id"]]
    assert api.delete(f"/api/webhooks/{mine['id']}/").status_code == 204
    assert not WebhookSubscription.objects.filter(pk=mine["id"]).exists()


@pytest.mark.django_db
def test_the_delivery_log_lists_the_subscriptions_deliveries(api, clinician, session) -> None:
    from sessions.models import NoteJob

    created = api.post("/api/webhooks/", {"url": "https://x.example.org/"}, format="json").json()
    job = NoteJob.objects.create(kind=NoteJob.Kind.SESSION_NOTE, clinician=clinician, session=session,
                                 status=NoteJob.Status.FAILED)
    delivery = WebhookDelivery.objects.create(
        subscription_id=created["id"], job=job, event="job.failed", payload={"event": "job.failed"},
        attempts=1, last_status_code=500, last_error="HTTP 500",
        attempt_log=[{"attempt": 1, "at": "2026-12-03T10:00:00+00:00", "status_code": 500, "error": "HTTP 500",
                      "seconds": 0.01}],
    )
    log = api.get(f"/api/webhooks/{created['id']}/deliveries/")
    assert log.status_code == 200
    [item] = log.json()["results"]
    assert item["id"] == str(delivery.pk) and item["job"] == str(job.pk) and item["status"] == "pending"
    assert item["attempts"] == 1 and item["last_status_code"] == 500 and item["attempt_log"][0]["status_code"] == 500
