"""Fault injection against real worker processes, real Redis and real PostgreSQL:
a worker child killed mid-job, a broker that loses its data, a graceful SIGTERM."""

from __future__ import annotations

import signal
import time
from datetime import date

import psutil
import pytest
import redis
from django.conf import settings as django_settings

from sessions import services
from sessions.models import NoteJob, Session
from sessions.reconciler import requeue_stuck_jobs
from tests.conftest import SAMPLE_TRANSCRIPT, wait_for_job

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

# Long enough that prompt evaluation keeps the job running for a few seconds.
LONG_TRANSCRIPT = "\n".join([SAMPLE_TRANSCRIPT] * 3)


def _wait_status(job_id: str, status: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if NoteJob.objects.get(pk=job_id).status == status:
            return
        time.sleep(0.02)
    raise TimeoutError(f"job {job_id} never reached {status}")


def _submit(session: Session) -> str:
    outcome = services.submit_session_note_job(clinician=session.patient.clinician, session=session, regenerate=True)
    return str(outcome.job.pk)


def test_worker_child_killed_mid_job_is_redelivered_and_completes_once(
    start_worker, use_queue, session
) -> None:
    worker = start_worker()
    use_queue(worker)
    session.original_transcription = LONG_TRANSCRIPT
    session.save()
    job_id = _submit(session)
    _wait_status(job_id, "running")
    children = psutil.Process(worker.proc.pid).children()
    assert children, "prefork worker has no child process"
    for child in children:
        child.send_signal(signal.SIGKILL)
    job = wait_for_job(job_id, timeout=240)
    session.refresh_from_db()
    assert job.status == "succeeded", job.error_message
    assert job.attempts == 2
    assert session.notes == job.result["generated_notes"]
    assert session.notes_version == 1  # written exactly once
    assert NoteJob.objects.filter(session=session).count() == 1


def test_broker_losing_its_data_loses_no_job(start_worker, use_queue, settings, clinician, patient) -> None:
    # Submit to a queue no worker listens on, then wipe the broker's database.
    settings.CELERY_TASK_DEFAULT_QUEUE = "nobody-listens-here"
    sessions = [Session.objects.create(patient=patient, session_number=n, session_date=date(2026, 11, n),
                                       original_transcription=SAMPLE_TRANSCRIPT) for n in (1, 2, 3)]
    job_ids = [_submit(s) for s in sessions]
    redis.Redis.from_url(django_settings.CELERY_BROKER_URL).flushdb()
    worker = start_worker()
    use_queue(worker)
    time.sleep(1)
    assert all(NoteJob.objects.get(pk=j).status == "queued" for j in job_ids)
    requeued = requeue_stuck_jobs(older_than_seconds=0)
    assert {str(j.pk) for j in requeued} >= set(job_ids)
    finals = [wait_for_job(j, timeout=240) for j in job_ids]
    assert [j.status for j in finals] == ["succeeded"] * 3
    for s in sessions:
        s.refresh_from_db()
        assert s.notes_version == 1


def test_sigterm_lets_the_running_job_finish(start_worker, use_queue, session) -> None:
    worker = start_worker()
    use_queue(worker)
    session.original_transcription = LONG_TRANSCRIPT
    session.save()
    job_id = _submit(session)
    _wait_status(job_id, "running")
    worker.proc.send_signal(signal.SIGTERM)  # warm shutdown: finish the current task, take no more
    worker.proc.wait(timeout=120)
    job = NoteJob.objects.get(pk=job_id)
    assert job.status == "succeeded", (job.status, job.error_message)
    assert job.attempts == 1
