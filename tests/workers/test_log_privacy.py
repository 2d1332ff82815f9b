"""Transcripts and notes never reach the logs: not the worker's, not the web process's, not on failure."""

from __future__ import annotations

import logging
import re

import pytest
import requests

from sessions.job_execution import execute_job
from sessions.models import NoteJob
from tests.conftest import SAMPLE_TRANSCRIPT, wait_for_job
from tests.errors import field_errors

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def _clinical_fragments(*texts: str) -> list[str]:
    """Distinctive pieces of clinical text: each line's content (speaker labels and note headers
    removed) and every run of six words, so a partial quote is caught as well as a whole line."""
    fragments: set[str] = set()
    for text in texts:
        for line in text.splitlines():
            body = re.sub(r"^(\*\*[^*]+:\*\*|[A-Za-z ]{1,12}:)\s*", "", line).strip()
            words = body.split()
            if len(words) >= 6:
                fragments.update(" ".join(words[i:i + 6]) for i in range(len(words) - 5))
    assert fragments, "nothing to look for: the check would pass vacuously"
    return sorted(fragments)


def _record_text(record: logging.LogRecord) -> str:
    extras = " ".join(f"{k}={v!r}" for k, v in vars(record).items() if k not in ("msg", "args"))
    return f"{record.getMessage()} {record.exc_text or ''} {extras}"


def _leaks(log_text: str, fragments: list[str]) -> list[str]:
    flat = " ".join(log_text.split())
    return [f for f in fragments if f in flat]


def test_worker_and_web_logs_hold_no_transcript_or_note_text(
    live_server, start_worker, use_queue, clinician, patient, caplog
) -> None:
    worker = start_worker(LOG_LEVEL="DEBUG")
    use_queue(worker)
    caplog.set_level(logging.DEBUG)
    headers = {"Authorization": f"Token {clinician.api_token}"}
    # A rejected request carrying a transcript (bad date) must not log the body either.
    rejected = requests.post(f"{live_server.url}/api/sessions/", headers=headers, timeout=30, json={
        "patient": patient.pk, "session_number": 1, "session_date": "not-a-date",
        "original_transcription": SAMPLE_TRANSCRIPT})
    assert rejected.status_code == 400 and "session_date" in field_errors(rejected)
    created = requests.post(f"{live_server.url}/api/sessions/", headers=headers, timeout=30, json={
        "patient": patient.pk, "session_number": 1, "session_date": "2026-11-02",
        "original_transcription": SAMPLE_TRANSCRIPT})
    assert created.status_code == 201, created.text
    submitted = requests.post(f"{live_server.url}/api/sessions/{created.json()['id']}/generate-notes",
                              headers=headers, json={}, timeout=30)
    assert submitted.status_code == 202
    job = wait_for_job(submitted.json()["id"])
    assert job.status == NoteJob.Status.SUCCEEDED, job.error_message
    worker_log = worker.log_path.read_text()
    assert "inference" in worker_log  # the worker did log the job (structured fields only)
    fragments = _clinical_fragments(SAMPLE_TRANSCRIPT, job.result["generated_notes"])
    assert _leaks(worker_log, fragments) == []
    assert _leaks(" ".join(_record_text(r) for r in caplog.records), fragments) == []


class TranscriptQuotingEngine:
    """Stands in for the engine to test the failure logging around it: it fails with an
    exception whose message quotes its input, as a tokenizer or decoding error can."""

    def __getattr__(self, name: str):
        raise ValueError(f"cannot process {SAMPLE_TRANSCRIPT}")


def test_a_failing_job_logs_the_error_type_and_frames_but_not_the_quoted_transcript(
    session, settings, caplog
) -> None:
    settings.THERAPY_NOTES_ON_MODEL_FAILURE = "fail"
    caplog.set_level(logging.DEBUG)
    job = NoteJob.objects.create(kind="session_note", clinician=session.patient.clinician, session=session,
                                 patient=session.patient, base_notes_version=0)
    report = execute_job(str(job.pk), TranscriptQuotingEngine())
    assert report.ran and not report.succeeded
    logged = " ".join(_record_text(r) for r in caplog.records)
    assert "job failed: ValueError" in logged and "__getattr__" in logged  # type and frames are kept
    assert _leaks(logged, _clinical_fragments(SAMPLE_TRANSCRIPT)) == []
    job.refresh_from_db()
    assert job.status == "failed" and "ValueError" in job.error_message  # the clinician still sees why
