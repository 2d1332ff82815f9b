"""Readiness, metrics and JSON logs against a real Celery worker process (issue 16, parts 5 and 6)."""

from __future__ import annotations

import json
import logging
import time

import psutil
import pytest
from prometheus_client.parser import text_string_to_metric_families

from sessions.models import NoteJob
from tests.conftest import wait_for_job
from tests.workers.test_log_privacy import _clinical_fragments, _leaks
from workers import metrics

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

# A stopped worker withdraws its heartbeat at once; a killed one stops refreshing it, and it expires.
GRACEFUL_DEADLINE_SECONDS = 5.0
KILLED_DEADLINE_SECONDS = metrics.SNAPSHOT_TTL_SECONDS + metrics.HEARTBEAT_INTERVAL_SECONDS + 3


def _wait_for_status(client, status: int, within: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < within:
        if client.get("/health/ready").status_code == status:
            return time.monotonic() - started
        time.sleep(0.25)
    raise AssertionError(f"/health/ready not {status} within {within} s")


def _processes_on(queue: str) -> list[int]:
    return [s["pid"] for s in metrics.ready(metrics.read_all(), queue)]


def test_readiness_follows_the_only_worker_and_drops_when_it_stops(start_worker, use_queue, client, caplog) -> None:
    worker = start_worker()
    use_queue(worker)
    ready = client.get("/health/ready")
    assert ready.status_code == 200, ready.json()
    assert ready.json()["model_loaded"] is True
    caplog.set_level(logging.INFO, logger="django.request")
    worker.stop()  # SIGTERM: Celery's warm shutdown
    elapsed = _wait_for_status(client, 503, GRACEFUL_DEADLINE_SECONDS)
    assert elapsed < GRACEFUL_DEADLINE_SECONDS
    assert _processes_on(worker.queue) == []
    assert not [r for r in caplog.records if r.name == "django.request" and r.levelno >= logging.ERROR]


def test_readiness_drops_within_the_heartbeat_ttl_when_the_worker_is_killed(start_worker, use_queue, client) -> None:
    worker = start_worker()
    use_queue(worker)
    assert client.get("/health/ready").status_code == 200
    children = _processes_on(worker.queue)
    assert children
    worker.proc.kill()  # SIGKILL: no shutdown handler runs in the main process
    try:
        _wait_for_status(client, 503, KILLED_DEADLINE_SECONDS)
    finally:
        for pid in children:  # the pool child, if it outlived its parent
            if psutil.pid_exists(pid):
                psutil.Process(pid).kill()
        worker.stop()


def _scrape(client, token: str) -> dict[str, object]:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    return {family.name: family for family in text_string_to_metric_families(response.content.decode())}


def test_a_real_job_shows_in_the_metrics_and_in_json_worker_logs(
    start_worker, use_queue, api, client, session, settings
) -> None:
    settings.THERAPY_NOTES_METRICS_TOKEN = "worker-metrics-secret"
    worker = start_worker(THERAPY_NOTES_LOG_FORMAT="json")
    use_queue(worker)
    submitted = api.post(f"/api/sessions/{session.pk}/generate-notes", {}, format="json")
    assert submitted.status_code == 202
    job = wait_for_job(submitted.json()["id"])
    assert job.status == NoteJob.Status.SUCCEEDED, job.error_message
    [pid] = _processes_on(worker.queue)

    deadline = time.monotonic() + 10  # the worker publishes its counters just after the job is final
    while True:
        families = _scrape(client, settings.THERAPY_NOTES_METRICS_TOKEN)
        counts = {s.labels["worker"]: s.value for s in families["therapy_notes_inference_seconds"].samples
                  if s.name == "therapy_notes_inference_seconds_count"}
        mine = [label for label in counts if label.endswith(f":{pid}")]
        if mine and counts[mine[0]] >= 1 or time.monotonic() > deadline:
            break
        time.sleep(0.25)
    assert mine and counts[mine[0]] == 1
    label = mine[0]
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value for f in families.values() for s in f.samples}
    assert samples[("therapy_notes_worker_jobs_total", (("outcome", "succeeded"), ("worker", label)))] == 1
    assert samples[("therapy_notes_inference_seconds_sum", (("worker", label),))] > 0
    inf_bucket = ("therapy_notes_inference_seconds_bucket", (("le", "+Inf"), ("worker", label)))
    assert samples[inf_bucket] == 1
    assert samples[("therapy_notes_worker_completion_tokens_total", (("worker", label),))] == job.completion_tokens
    assert samples[("therapy_notes_workers_ready", (("queue", worker.queue),))] == 1
    assert samples[("therapy_notes_tokens_per_second", ())] >= 0
    assert 0 <= samples[("therapy_notes_fallback_ratio", ())] <= 1

    worker.stop()
    lines = worker.log_path.read_text().splitlines()
    records = [json.loads(line) for line in lines if line.startswith("{")]
    [inference] = [r for r in records if r.get("event") == "inference"]
    assert inference["message"] == "inference" and inference["name"] == "summarizer.inference"
    assert inference["job_id"] == str(job.pk) and inference["completion_tokens"] == job.completion_tokens
    assert inference["model_sha256"] == job.model_sha256 and "fallback" in inference and "seconds" in inference
    assert any(r["message"].endswith("ready.") for r in records)  # Celery's own lines are JSON too
    fragments = _clinical_fragments(session.original_transcription, job.result["generated_notes"])
    assert _leaks("\n".join(lines), fragments) == []
