"""Webhook delivery: the outbox written with the job's end, signed POSTs to a real receiver on loopback,
retries with backoff, the delivery log, and the reconciler re-sending a delivery whose message was lost.

The end-to-end tests run a real Celery worker process (the bundled GGUF) over the real Redis and PostgreSQL.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from sessions import services
from sessions.job_execution import execute_job, fail_job
from sessions.models import NoteJob, WebhookDelivery, WebhookSubscription
from sessions.reconciler import resend_due_deliveries
from sessions.tasks import deliver_webhook
from sessions.webhook_delivery import delivery_body, retry_delay, send_delivery
from sessions.webhook_signing import DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, verify_signature
from tests.conftest import SAMPLE_TRANSCRIPT, wait_for_job
from tests.summarizer.fakes import ScriptedEngine
from workers import metrics

METRICS_TOKEN = "webhook-metrics-secret"
NOTE = ("**Chief Complaint:** Work stress and poor sleep.\n**Emotional State:** Anxious, tearful at times.\n"
        "**Risk:** Denies suicidal ideation.\n**Intervention:** Thought record on the Monday meeting.\n"
        "**Plan:** Sleep diary; review next week.")


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """An HTTP server on loopback that answers each POST with the next scripted status (then 200)."""

    statuses: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/notes"

    def wait_for(self, count: int, timeout: float = 60) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.received) >= count:
                return self.received
            time.sleep(0.1)
        raise TimeoutError(f"{len(self.received)} of {count} callbacks received")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # http.server's name for the POST handler
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.received.append(Received(dict(self.headers.items()), body))
            status = state.statuses.pop(0) if state.statuses else 200
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    state.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=state.server.serve_forever, daemon=True)
    thread.start()
    yield state
    state.server.shutdown()
    state.server.server_close()


def subscribe(api: Any, url: str, **fields: Any) -> dict[str, Any]:
    response = api.post("/api/webhooks/", {"url": url, **fields}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def verified_payload(callback: Received, secret: str) -> dict[str, Any]:
    """What a receiver does: check the signature over the raw body, then parse it."""
    verify_signature(secret, callback.headers[SIGNATURE_HEADER], callback.body)
    return json.loads(callback.body)


def note_job(clinician: Any, session: Any) -> NoteJob:
    return NoteJob.objects.create(kind=NoteJob.Kind.SESSION_NOTE, clinician=clinician, session=session,
                                  patient=session.patient, parameters={"format": "default"},
                                  base_notes_version=session.notes_version)


# --- in-process: the outbox and one attempt at a time ----------------------------------------------------


@pytest.mark.django_db
def test_the_outbox_row_is_written_with_the_jobs_end_and_sent_after_commit(
    api, clinician, session, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    sent: list[str] = []
    monkeypatch.setattr("sessions.webhook_events.enqueue_webhook_delivery", sent.append)
    subscribe(api, "https://x.example.org/", event_types=["job.failed"])
    job = note_job(clinician, session)
    job.start()  # only the claimant of a running job records its failure
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        fail_job(str(job.pk), "Note generation failed: RuntimeError: boom")
    [delivery] = WebhookDelivery.objects.all()
    assert callbacks and sent == [str(delivery.pk)]  # sent once the job's transaction committed
    assert delivery.job_id == job.pk and delivery.event == "job.failed" and delivery.status == "pending"
    assert delivery.payload["job"]["status"] == "failed" and "content" not in delivery.payload
    assert "boom" not in json.dumps(delivery.payload)  # an error message can quote the transcript


@pytest.mark.django_db
def test_a_rolled_back_end_leaves_no_delivery(api, clinician, session, monkeypatch) -> None:
    from django.db import transaction

    monkeypatch.setattr("sessions.webhook_events.enqueue_webhook_delivery", lambda delivery_id: None)
    subscribe(api, "https://x.example.org/")
    job = note_job(clinician, session)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.cancel_job(job)
        assert WebhookDelivery.objects.count() == 1
        raise RuntimeError("the surrounding transaction fails")
    assert not WebhookDelivery.objects.exists()
    assert NoteJob.objects.get(pk=job.pk).status == "queued"


@pytest.mark.django_db
def test_only_the_subscribed_events_of_the_clinicians_own_jobs_are_recorded(
    api, other_api, clinician, session, monkeypatch
) -> None:
    monkeypatch.setattr("sessions.webhook_events.enqueue_webhook_delivery", lambda delivery_id: None)
    monkeypatch.setattr("sessions.services.enqueue_job", lambda job_id: True)
    subscribe(api, "https://a.example.org/", event_types=["job.succeeded"])
    subscribe(api, "https://b.example.org/", event_types=["job.cancelled"])
    subscribe(api, "https://off.example.org/", active=False)
    subscribe(other_api, "https://theirs.example.org/")
    services.cancel_job(note_job(clinician, session))
    assert list(WebhookDelivery.objects.values_list("subscription__url", "event")) == [
        ("https://b.example.org/", "job.cancelled")]


@pytest.mark.django_db
def test_include_content_false_sends_no_transcript_or_note_text_and_true_sends_the_note(
    api, clinician, session, monkeypatch, receiver
) -> None:
    monkeypatch.setattr("sessions.webhook_events.enqueue_webhook_delivery", lambda delivery_id: None)
    plain = subscribe(api, receiver.url)
    rich = subscribe(api, receiver.url, include_content=True)
    job = note_job(clinician, session)
    execute_job(str(job.pk), ScriptedEngine(text=NOTE))
    job.refresh_from_db()
    assert job.status == "succeeded" and job.result["generated_notes"]
    for delivery in WebhookDelivery.objects.order_by("subscription_id"):
        send_delivery(str(delivery.pk))
    payloads = {subscription["id"]: verified_payload(callback, subscription["secret"])
                for subscription, callback in zip([plain, rich], receiver.wait_for(2), strict=True)}
    without = payloads[plain["id"]]
    text = json.dumps(without)
    assert without["event"] == "job.succeeded" and without["job"]["id"] == str(job.pk)
    assert without["job"]["status"] == "succeeded" and without["job"]["applied"] is True
    assert without["job"]["url"] == f"/api/jobs/{job.pk}" and "content" not in without
    for line in [*SAMPLE_TRANSCRIPT.splitlines(), *job.result["generated_notes"].splitlines()]:
        words = line.split(":", 1)[-1].strip()
        if len(words) > 12:
            assert words not in text, words
    assert "Work stress" not in text and "Thought record" not in text
    assert all(set(flag) == {"category", "severity", "current"} for flag in without["job"]["risk_flags"])
    with_content = payloads[rich["id"]]
    assert with_content["content"]["notes"] == job.result["generated_notes"]
    assert with_content["content"]["risk_flags"] == job.result["risk_flags"]


@pytest.mark.django_db
def test_failed_attempts_back_off_then_give_up_and_the_log_keeps_each(
    api, clinician, session, monkeypatch, receiver, settings
) -> None:
    settings.THERAPY_NOTES_WEBHOOK_MAX_ATTEMPTS = 3
    settings.THERAPY_NOTES_WEBHOOK_RETRY_SECONDS = 10
    retries: list[tuple[str, float | None]] = []
    monkeypatch.setattr("sessions.webhook_events.enqueue_webhook_delivery", lambda delivery_id: None)
    monkeypatch.setattr("sessions.webhook_delivery.enqueue_webhook_delivery",
                        lambda delivery_id, countdown=None: retries.append((delivery_id, countdown)))
    receiver.statuses = [500, 503, 500]
    created = subscribe(api, receiver.url)
    services.cancel_job(note_job(clinician, session))
    delivery = WebhookDelivery.objects.get()
    assert send_delivery(str(delivery.pk)).status == "pending"
    assert send_delivery(str(delivery.pk)) is None  # not due for 10 s: a duplicate message does nothing
    assert [countdown for _, countdown in retries] == [10]
    for _ in range(2):
        WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=delivery.created_at)  # time passes
        send_delivery(str(delivery.pk))
    delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.attempts == 3 and delivery.next_attempt_at is None
    assert [countdown for _, countdown in retries] == [10, 20]  # doubling, and none after the last attempt
    assert [entry["status_code"] for entry in delivery.attempt_log] == [500, 503, 500]
    assert delivery.last_status_code == 500 and delivery.last_error == "HTTP 500"
    assert len({callback.headers[DELIVERY_HEADER] for callback in receiver.received}) == 1  # one id per delivery
    assert len({callback.headers[SIGNATURE_HEADER] for callback in receiver.received}) >= 1
    [logged] = api.get(f"/api/webhooks/{created['id']}/deliveries/").json()["results"]
    assert logged["status"] == "failed" and [a["status_code"] for a in logged["attempt_log"]] == [500, 503, 500]
    assert retry_delay(1) == 10 and retry_delay(3) == 40 and retry_delay(40) == 3600


@pytest.mark.django_db
def test_the_delivery_task_counts_each_attempt_by_its_outcome(api, clinician, session, monkeypatch, receiver,
                                                              settings) -> None:
    settings.THERAPY_NOTES_WEBHOOK_MAX_ATTEMPTS = 2
    monkeypatch.setattr("sessions.webhook_events.enqueue_webhook_delivery", lambda delivery_id: None)
    monkeypatch.setattr("sessions.webhook_delivery.enqueue_webhook_delivery", lambda delivery_id, countdown=None: None)
    monkeypatch.setattr(metrics, "_counters", metrics.WorkerCounters())  # this test's counts only
    receiver.statuses = [500, 500]  # the first delivery's two attempts; the second delivery's answer is a 200
    subscribe(api, receiver.url, event_types=["job.cancelled"])
    failing = WebhookDelivery.objects.get(job=services.cancel_job(note_job(clinician, session)))
    deliver_webhook(str(failing.pk))
    assert metrics._counters.webhook_attempts == {"delivered": 0, "retried": 1, "failed": 0}
    deliver_webhook(str(failing.pk))  # not due yet: a duplicate message sends nothing and counts nothing
    WebhookDelivery.objects.filter(pk=failing.pk).update(next_attempt_at=failing.created_at)
    deliver_webhook(str(failing.pk))  # the last attempt
    assert metrics._counters.webhook_attempts == {"delivered": 0, "retried": 1, "failed": 1}
    succeeding = WebhookDelivery.objects.get(job=services.cancel_job(note_job(clinician, session)))
    deliver_webhook(str(succeeding.pk))
    assert metrics._counters.webhook_attempts == {"delivered": 1, "retried": 1, "failed": 1}
    assert len(receiver.received) == 3


@pytest.mark.django_db
def test_an_unreachable_receiver_is_recorded_without_an_answer(api, clinician, session, monkeypatch) -> None:
    monkeypatch.setattr("sessions.webhook_events.enqueue_webhook_delivery", lambda delivery_id: None)
    monkeypatch.setattr("sessions.webhook_delivery.enqueue_webhook_delivery", lambda delivery_id, countdown=None: None)
    subscribe(api, "http://127.0.0.1:9/closed")  # the discard port: nothing listens
    services.cancel_job(note_job(clinician, session))
    delivery = send_delivery(str(WebhookDelivery.objects.get().pk))
    assert delivery.status == "pending" and delivery.last_status_code is None
    assert delivery.last_error.startswith("ConnectionError")


@pytest.mark.django_db
def test_a_delivery_for_a_switched_off_subscription_is_not_sent(api, clinician, session, monkeypatch,
                                                                 receiver) -> None:
    monkeypatch.setattr("sessions.webhook_events.enqueue_webhook_delivery", lambda delivery_id: None)
    created = subscribe(api, receiver.url)
    services.cancel_job(note_job(clinician, session))
    WebhookSubscription.objects.filter(pk=created["id"]).update(active=False)
    assert send_delivery(str(WebhookDelivery.objects.get().pk)) is None
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed" and delivery.attempts == 0 and not receiver.received


@pytest.mark.django_db
def test_the_body_is_canonical_json_so_every_retry_signs_the_same_bytes() -> None:
    assert delivery_body({"b": 1, "a": "é"}) == '{"a":"é","b":1}'.encode()


# --- end to end: a real worker ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def worker(start_worker):
    # Short backoff so the retry test takes seconds (the first retry after 0.5 s, then 1 s).
    return start_worker(THERAPY_NOTES_WEBHOOK_RETRY_SECONDS="0.5")


def _wait_for_delivery(pk: Any, status: str, timeout: float = 60) -> WebhookDelivery:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        delivery = WebhookDelivery.objects.get(pk=pk)
        if delivery.status == status:
            return delivery
        time.sleep(0.2)
    raise TimeoutError(f"delivery {pk} is {delivery.status}, not {status}: {delivery.attempt_log}")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_receiver_on_loopback_gets_a_verified_callback_when_a_job_finishes_on_a_real_worker(
    live_server, worker, use_queue, api, clinician, session, receiver
) -> None:
    use_queue(worker)
    subscription = subscribe(api, receiver.url, event_types=["job.succeeded", "job.failed"])
    response = requests.post(f"{live_server.url}/api/sessions/{session.pk}/generate-notes", json={}, timeout=30,
                             headers={"Authorization": f"Token {clinician.api_token}"})
    assert response.status_code == 202, response.text
    job = wait_for_job(response.json()["id"])
    assert job.status == NoteJob.Status.SUCCEEDED, job.error_message
    [callback] = receiver.wait_for(1)
    payload = verified_payload(callback, subscription["secret"])
    assert payload["event"] == "job.succeeded" and callback.headers[EVENT_HEADER] == "job.succeeded"
    assert payload["job"]["id"] == str(job.pk) and payload["job"]["status"] == "succeeded"
    assert payload["job"]["session"] == session.pk and "content" not in payload
    assert callback.headers["Content-Type"] == "application/json"
    delivery = _wait_for_delivery(callback.headers[DELIVERY_HEADER], "succeeded")
    assert delivery.attempts == 1 and delivery.last_status_code == 200 and delivery.delivered_at
    assert payload["id"] == str(delivery.pk)
    session.refresh_from_db()
    assert session.notes and session.notes.splitlines()[0] not in callback.body.decode()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_receiver_that_fails_twice_gets_three_attempts_from_the_worker_and_the_log_shows_them(
    worker, use_queue, api, clinician, session, receiver
) -> None:
    use_queue(worker)
    receiver.statuses = [500, 500]
    subscription = subscribe(api, receiver.url, event_types=["job.cancelled"])
    services.cancel_job(note_job(clinician, session))
    callbacks = receiver.wait_for(3)
    delivery = _wait_for_delivery(callbacks[0].headers[DELIVERY_HEADER], "succeeded")
    assert delivery.attempts == 3 and len(receiver.received) == 3
    assert [entry["status_code"] for entry in delivery.attempt_log] == [500, 500, 200]
    for callback in callbacks:  # every attempt is signed afresh, with the same delivery id
        assert verified_payload(callback, subscription["secret"])["id"] == str(delivery.pk)
    assert {callback.headers[DELIVERY_HEADER] for callback in callbacks} == {str(delivery.pk)}
    [logged] = api.get(f"/api/webhooks/{subscription['id']}/deliveries/").json()["results"]
    assert logged["status"] == "succeeded" and logged["attempts"] == 3
    assert [attempt["status_code"] for attempt in logged["attempt_log"]] == [500, 500, 200]
    assert [attempt["attempt"] for attempt in logged["attempt_log"]] == [1, 2, 3]


def _webhook_attempts(client: Any) -> dict[str, float]:
    """The worker processes' webhook attempts by outcome, as Prometheus scrapes them from /metrics."""
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {METRICS_TOKEN}")
    assert response.status_code == 200
    totals = dict.fromkeys(metrics.WEBHOOK_ATTEMPT_OUTCOMES, 0.0)
    for family in text_string_to_metric_families(response.content.decode()):
        if family.name == "therapy_notes_worker_webhook_attempts":
            assert family.type == "counter"
            for sample in family.samples:
                if sample.name.endswith("_total"):
                    totals[sample.labels["outcome"]] += sample.value
    return totals


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_workers_webhook_attempts_are_counted_in_the_metrics(
    worker, use_queue, api, clinician, session, receiver, client, settings
) -> None:
    use_queue(worker)
    settings.THERAPY_NOTES_METRICS_TOKEN = METRICS_TOKEN
    before = _webhook_attempts(client)
    receiver.statuses = [500, 500]
    subscribe(api, receiver.url, event_types=["job.cancelled"])
    services.cancel_job(note_job(clinician, session))
    receiver.wait_for(3)
    expected = {"delivered": before["delivered"] + 1, "retried": before["retried"] + 2, "failed": before["failed"]}
    deadline = time.monotonic() + 10  # the last attempt is counted just after the receiver answered it
    while (after := _webhook_attempts(client)) != expected and time.monotonic() < deadline:
        time.sleep(0.2)
    assert after == expected


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_delivery_whose_message_was_lost_is_sent_by_the_reconciler(
    worker, use_queue, api, clinician, session, receiver, monkeypatch
) -> None:
    use_queue(worker)
    subscription = subscribe(api, receiver.url)
    # The broker is down when the job ends: the outbox row is written, its message is lost.
    monkeypatch.setattr("sessions.webhook_events.enqueue_webhook_delivery", lambda delivery_id: False)
    services.cancel_job(note_job(clinician, session))
    delivery = WebhookDelivery.objects.get()
    time.sleep(1.0)
    assert not receiver.received and delivery.status == "pending"
    assert resend_due_deliveries(older_than_seconds=0) == [delivery]
    [callback] = receiver.wait_for(1)
    assert verified_payload(callback, subscription["secret"])["event"] == "job.cancelled"
    assert _wait_for_delivery(delivery.pk, "succeeded").attempts == 1
    assert resend_due_deliveries(older_than_seconds=0) == []  # delivered: nothing more to send
