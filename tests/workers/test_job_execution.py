"""Job execution around the engine: failures, duplicates, attempt cap, DB retries."""

from __future__ import annotations

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.db import OperationalError

from sessions import job_execution
from sessions.job_execution import claim_job, execute_job, store_outcome
from sessions.models import NoteJob
from summarizer.notes import NoteOutcome
from tests.summarizer.fakes import FAKE_IDENTITY

pytestmark = pytest.mark.django_db


class RaisingEngine:
    """Stands in for the engine only to test the code around it."""

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc

    def __getattr__(self, name: str):
        raise self.exc


def _job(session) -> NoteJob:
    return NoteJob.objects.create(kind="session_note", clinician=session.patient.clinician, session=session,
                                  patient=session.patient, base_notes_version=session.notes_version,
                                  parameters={"regenerate": True})


def test_engine_error_fails_job_and_keeps_notes(session, settings) -> None:
    settings.THERAPY_NOTES_ON_MODEL_FAILURE = "fail"
    session.notes = "Keep me"
    session.save()
    job = _job(session)
    report = execute_job(str(job.pk), RaisingEngine(RuntimeError("GPU on fire")))
    job.refresh_from_db()
    session.refresh_from_db()
    assert report.ran and not report.succeeded
    assert job.status == "failed" and "GPU on fire" in job.error_message
    assert session.notes == "Keep me" and session.notes_version == 0


def test_soft_time_limit_fails_job_with_clear_message(session) -> None:
    job = _job(session)
    execute_job(str(job.pk), RaisingEngine(SoftTimeLimitExceeded()))
    job.refresh_from_db()
    assert job.status == "failed" and "soft time limit" in job.error_message
    session.refresh_from_db()
    assert session.notes == ""


def test_duplicate_delivery_does_not_write_twice(session) -> None:
    job = _job(session)
    assert claim_job(str(job.pk)) is not None
    outcome = NoteOutcome(text="first", inference_time=1, prompt_tokens=1, completion_tokens=1, model=FAKE_IDENTITY)
    store_outcome(str(job.pk), outcome)
    assert claim_job(str(job.pk)) is None  # second delivery: already final
    store_outcome(str(job.pk), NoteOutcome(text="second", inference_time=1, prompt_tokens=1,
                                           completion_tokens=1, model=FAKE_IDENTITY))
    session.refresh_from_db()
    assert session.notes == "first" and session.notes_version == 1


def test_attempt_cap_fails_a_poison_job(session, settings) -> None:
    settings.THERAPY_NOTES_MAX_ATTEMPTS = 2
    job = _job(session)
    NoteJob.objects.filter(pk=job.pk).update(attempts=2, status="running")
    assert claim_job(str(job.pk)) is None
    job.refresh_from_db()
    assert job.status == "failed" and "Gave up after 2 attempts" in job.error_message


@pytest.mark.django_db(transaction=True)  # a retry reconnects, which a wrapping test transaction forbids
def test_store_retries_when_the_database_blips(session, monkeypatch) -> None:
    monkeypatch.setattr(job_execution, "DB_RETRY_DELAYS", (0.01, 0.01))
    job = _job(session)
    claim_job(str(job.pk))
    real = job_execution._write_session_notes
    calls = {"n": 0}

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(*args, **kwargs)

    monkeypatch.setattr(job_execution, "_write_session_notes", flaky)
    store_outcome(str(job.pk), NoteOutcome(text="after retry", inference_time=1, prompt_tokens=1,
                                           completion_tokens=1, model=FAKE_IDENTITY))
    job.refresh_from_db()
    session.refresh_from_db()
    assert calls["n"] == 2
    assert job.status == "succeeded" and session.notes == "after retry"


def test_cancelled_job_is_not_run(session) -> None:
    job = _job(session)
    NoteJob.objects.filter(pk=job.pk).update(status="cancelled")
    report = execute_job(str(job.pk), RaisingEngine(AssertionError("must not be called")))
    assert report.ran is False
