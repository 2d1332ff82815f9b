"""Request size limits, submission throttling and readiness."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache

from sessions.models import NoteJob, Session
from tests.errors import error_detail

pytestmark = pytest.mark.django_db(transaction=True)


def test_oversized_request_body_is_413_with_a_clear_message(api, patient, settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = json.dumps({"patient": patient.pk, "session_number": 9, "session_date": "2026-11-01",
                       "original_transcription": "x" * 20_000})
    response = api.generic("POST", "/api/sessions/", body, content_type="application/json")
    assert response.status_code == 413
    assert "too large" in error_detail(response).lower()
    assert not Session.objects.filter(session_number=9).exists()


def test_job_submission_is_throttled_per_user(api, session, monkeypatch, no_enqueue) -> None:
    from rest_framework.throttling import ScopedRateThrottle

    cache.clear()
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"job_submit": "2/min"})
    codes = [api.post(f"/api/sessions/{session.pk}/generate-notes", {}, format="json").status_code
             for _ in range(3)]
    cache.clear()
    assert codes[:2] == [202, 202] and codes[2] == 429
    assert NoteJob.objects.filter(session=session).count() == 1


def test_readiness_is_503_without_a_worker(client) -> None:
    import redis
    from django.conf import settings

    from workers import metrics

    client_redis = redis.Redis.from_url(settings.REDIS_URL)
    for key in client_redis.scan_iter(f"{metrics.KEY_PREFIX}*"):  # forget earlier test workers
        client_redis.delete(key)
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert response.json()["model_loaded"] is False


@pytest.mark.parametrize("flag", [0, 1, "yes", "on", None])
def test_a_boolean_flag_takes_true_or_false_not_a_number_or_a_word(api, session, no_enqueue, flag) -> None:
    # The schema says boolean; schemathesis found {"regenerate": 0} queued a job as if it said false.
    from tests.errors import field_errors

    response = api.post(f"/api/sessions/{session.pk}/generate-notes", {"regenerate": flag}, format="json")
    assert response.status_code == 400 and "regenerate" in field_errors(response)
    assert not NoteJob.objects.filter(session=session).exists()
    webhook = api.post("/api/webhooks/", {"url": "https://ehr.example.org/hooks", "include_content": flag},
                       format="json")
    assert webhook.status_code == 400 and "include_content" in field_errors(webhook)


def test_a_boolean_flag_takes_json_true(api, session, no_enqueue) -> None:
    assert api.post(f"/api/sessions/{session.pk}/generate-notes", {"regenerate": True},
                    format="json").status_code == 202
