"""Issue 17, defect 8: a job whose whole worker died is taken back by the reconciler through the worker
heartbeats (workers/metrics.py), within a minute, not after the Redis visibility timeout. Real Redis and
PostgreSQL throughout; the last test kills a real worker process, parent and children, mid-job."""

from __future__ import annotations

import socket
import time
import uuid
from datetime import timedelta

import psutil
import pytest
import redis
from django.conf import settings as django_settings
from django.utils import timezone

from sessions import services
from sessions.job_execution import claim_job, execute_job, fail_job, record_progress, store_outcome
from sessions.models import NoteJob, Session
from sessions.queue import queue_depth
from sessions.reconciler import requeue_stuck_jobs
from summarizer.notes import NoteOutcome
from tests.conftest import wait_for_job
from tests.summarizer.fakes import FAKE_IDENTITY, ScriptedEngine
from tests.workers.test_faults import LONG_TRANSCRIPT, _wait_status
from workers import metrics

pytestmark = pytest.mark.django_db(transaction=True)

NOTE = ("**Chief Complaint:** Work stress and poor sleep.\n**Emotional State:** Anxious.\n"
        "**Risk:** None reported.\n**Intervention:** Thought record.\n**Plan:** Sleep diary; review next week.")
# The figure of the issue: recovery after a whole worker's death within a minute.
RECOVERY_LIMIT_SECONDS = 60


@pytest.fixture
def heartbeat():
    """Publish a heartbeat for a made-up worker process, as a live worker does; withdrawn afterwards."""
    client = redis.Redis.from_url(django_settings.REDIS_URL)
    published: list[str] = []

    def beat(worker: str) -> None:
        client.set(f"{metrics.KEY_PREFIX}{worker}", "{}", ex=metrics.SNAPSHOT_TTL_SECONDS)
        published.append(worker)

    yield beat
    for worker in published:
        client.delete(f"{metrics.KEY_PREFIX}{worker}")


@pytest.fixture
def private_queue(settings):
    """Re-sent jobs go to a queue of this test's own, read back from the real broker, then deleted."""
    queue = f"reconciler-test-{uuid.uuid4().hex[:8]}"
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    yield queue
    redis.Redis.from_url(django_settings.CELERY_BROKER_URL).delete(queue)


def _submitted(session: Session) -> NoteJob:
    return services.submit_session_note_job(clinician=session.patient.clinician, session=session,
                                            regenerate=True).job


def _claimed(session: Session, worker: str, seconds_ago: float) -> NoteJob:
    job = NoteJob.objects.create(kind="session_note", clinician=session.patient.clinician, session=session,
                                 patient=session.patient, base_notes_version=session.notes_version)
    job.start(worker=worker)
    NoteJob.objects.filter(pk=job.pk).update(started_at=timezone.now() - timedelta(seconds=seconds_ago))
    return job


def test_a_running_job_whose_worker_heartbeat_is_gone_is_sent_again_and_runs_once(
    heartbeat, private_queue, session
) -> None:
    heartbeat("reconciler-host:1")  # the process running the reconciler (a worker) is alive
    job = _claimed(session, "dead-host:4242", seconds_ago=metrics.SNAPSHOT_TTL_SECONDS + 5)
    sent = requeue_stuck_jobs()
    assert [j.pk for j in sent] == [job.pk]
    job.refresh_from_db()
    assert job.status == "queued"
    assert job.attempts == 1  # counted again by the next claim, not here
    assert queue_depth(private_queue) == 1
    assert requeue_stuck_jobs() == []  # queued now, not stuck: not sent a second time
    assert queue_depth(private_queue) == 1

    report = execute_job(str(job.pk), ScriptedEngine(text=NOTE))
    job.refresh_from_db()
    session.refresh_from_db()
    assert report.succeeded
    assert (job.status, job.attempts, job.claimed_by) == ("succeeded", 2, metrics.worker_id())
    assert session.notes == job.result["generated_notes"]
    assert session.notes_version == 1


def test_a_job_of_a_live_worker_or_claimed_within_the_heartbeat_ttl_is_left_alone(
    heartbeat, private_queue, session, patient
) -> None:
    heartbeat("alive-host:7")
    alive = _claimed(session, "alive-host:7", seconds_ago=120)
    second = Session.objects.create(patient=patient, session_number=2, session_date=session.session_date,
                                    original_transcription=session.original_transcription)
    just_claimed = _claimed(second, "new-host:8", seconds_ago=2)  # its first heartbeat may not be seen yet
    assert requeue_stuck_jobs() == []
    assert queue_depth(private_queue) == 0
    for job in (alive, just_claimed):
        job.refresh_from_db()
        assert (job.status, job.attempts) == ("running", 1)


def test_no_heartbeat_at_all_is_redis_losing_its_keys_not_every_worker_dying(private_queue, session,
                                                                              monkeypatch) -> None:
    # Heartbeats under a prefix of this test's own, so other tests' live workers do not fill the registry.
    monkeypatch.setattr(metrics, "KEY_PREFIX", f"therapy_notes:worker:empty-{uuid.uuid4().hex}:")
    assert metrics.live_worker_ids() == set()
    job = _claimed(session, "dead-host:4242", seconds_ago=metrics.SNAPSHOT_TTL_SECONDS + 5)
    assert requeue_stuck_jobs() == []
    job.refresh_from_db()
    assert job.status == "running"


def test_a_claimant_presumed_dead_writes_nothing_once_its_job_was_taken_back(heartbeat, private_queue, session):
    heartbeat("reconciler-host:1")
    session.notes = "The clinician's draft"
    session.save()
    job = NoteJob.objects.create(kind="session_note", clinician=session.patient.clinician, session=session,
                                 patient=session.patient, base_notes_version=session.notes_version)
    assert claim_job(str(job.pk)) is not None  # claimed by this process, which publishes no heartbeat
    NoteJob.objects.filter(pk=job.pk).update(started_at=timezone.now() - timedelta(minutes=1))
    assert [j.pk for j in requeue_stuck_jobs()] == [job.pk]
    job.refresh_from_db()
    job.start(worker="rescuer-host:9")  # another worker claims the re-sent job

    record_progress(str(job.pk), "writing the note", 1, 2)
    store_outcome(str(job.pk), NoteOutcome(text="Late note of the presumed-dead claimant", inference_time=1,
                                           prompt_tokens=1, completion_tokens=1, model=FAKE_IDENTITY),
                  session.transcript_sha256)
    fail_job(str(job.pk), "a late failure of the presumed-dead claimant")
    job.refresh_from_db()
    session.refresh_from_db()
    assert (job.status, job.claimed_by, job.result, job.error_message, job.progress) == (
        "running", "rescuer-host:9", None, "", {})
    assert (session.notes, session.notes_version) == ("The clinician's draft", 0)


@pytest.mark.slow
def test_a_whole_worker_killed_mid_job_has_its_job_reclaimed_within_a_minute(
    start_worker, use_queue, session, tmp_path
) -> None:
    # The rescuer runs the beat reconciler every second; the victim takes the job and dies with it.
    rescuer = start_worker("--beat", "--schedule-filename", str(tmp_path / "beat-schedule"),
                           THERAPY_NOTES_RECONCILE_INTERVAL="1")
    try:
        victim = start_worker()
        use_queue(victim)
        session.original_transcription = LONG_TRANSCRIPT
        session.save()
        job_id = str(_submitted(session).pk)
        _wait_status(job_id, "running")
        claimant = NoteJob.objects.get(pk=job_id).claimed_by
        parent = psutil.Process(victim.proc.pid)
        processes = [parent, *parent.children(recursive=True)]
        assert claimant in {f"{socket.gethostname()}:{p.pid}" for p in processes[1:]}
        for process in processes:  # the whole worker: no shutdown handler, no redelivery by the parent
            process.kill()
        killed_at = time.monotonic()
        victim.proc.wait(timeout=10)

        while True:
            job = NoteJob.objects.get(pk=job_id)
            recovery = time.monotonic() - killed_at
            if job.status != "running" or job.claimed_by != claimant:
                break
            assert recovery <= RECOVERY_LIMIT_SECONDS, "the dead worker's job was not taken back"
            time.sleep(0.25)
        assert recovery <= RECOVERY_LIMIT_SECONDS
        print(f"whole-worker death: job taken back after {recovery:.1f} s")  # the figure, with -s / -rP

        job = wait_for_job(job_id, timeout=240)
        session.refresh_from_db()
        rescuers = {f"{socket.gethostname()}:{p.pid}" for p in psutil.Process(rescuer.proc.pid).children()}
        assert job.status == "succeeded", job.error_message
        assert job.attempts == 2
        assert job.claimed_by in rescuers
        assert session.notes == job.result["generated_notes"]
        assert session.notes_version == 1  # written exactly once
        assert NoteJob.objects.filter(session=session).count() == 1
    finally:
        rescuer.stop()  # its reconciler must not take jobs of the tests that follow
