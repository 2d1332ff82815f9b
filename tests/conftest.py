"""Shared fixtures: real users/tokens, a real engine (bundled GGUF), a real Celery worker process."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from datetime import date
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
MODEL_PATH = REPO / "models" / "SmolLM2-135M-Instruct.Q4_1.gguf"

SAMPLE_TRANSCRIPT = (REPO / "data" / "samples" / "demo_session.txt").read_text(encoding="utf-8")


@pytest.fixture
def make_clinician(db):
    from django.contrib.auth import get_user_model

    from sessions.auth import issue_api_token

    def make(username: str | None = None):
        user = get_user_model().objects.create_user(username=username or f"clin-{uuid.uuid4().hex[:8]}")
        user.api_token, _ = issue_api_token(user)  # knox shows the key only once: keep it on the object
        return user

    return make


@pytest.fixture
def clinician(make_clinician):
    return make_clinician()


@pytest.fixture
def other_clinician(make_clinician):
    return make_clinician()


def client_for(user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {user.api_token}")
    return client


@pytest.fixture
def api(clinician):
    return client_for(clinician)


@pytest.fixture
def other_api(other_clinician):
    return client_for(other_clinician)


@pytest.fixture
def patient(clinician):
    from sessions.models import Patient

    return Patient.objects.create(clinician=clinician, display_name="Test patient")


@pytest.fixture
def session(patient):
    from sessions.models import Session

    return Session.objects.create(
        patient=patient, session_number=1, session_date=date(2026, 11, 2), original_transcription=SAMPLE_TRANSCRIPT
    )


@pytest.fixture
def no_enqueue(monkeypatch):
    """Record enqueued job ids instead of talking to the broker (API-only tests)."""
    sent: list[str] = []
    monkeypatch.setattr("sessions.services.enqueue_job", lambda job_id: sent.append(job_id) or True)
    return sent


@pytest.fixture(scope="session")
def real_engine():
    """The bundled SmolLM2 GGUF loaded once for the whole test session."""
    from summarizer.config import InferenceConfig
    from summarizer.engine import LlamaInferenceEngine

    assert MODEL_PATH.is_file(), "run `python manage.py fetch_model` first"
    engine = LlamaInferenceEngine(InferenceConfig(model_path=str(MODEL_PATH), n_threads=2))
    engine.load()
    yield engine
    engine.unload()


def _test_database_url() -> str:
    from django.db import connection

    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class WorkerProcess:
    def __init__(self, queue: str, env: dict[str, str], log_path: Path, args: tuple[str, ...] = ()) -> None:
        self.queue = queue
        self.hostname = f"test-{queue}@localhost"
        self.log_path = log_path
        self._log = log_path.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "therapy_notes", "worker", "--loglevel", "INFO",
             "--concurrency", "1", "-Q", queue, "--hostname", self.hostname,
             "--without-gossip", "--without-mingle", *args],
            cwd=REPO, env=env, stdout=self._log, stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 120) -> None:
        from therapy_notes.celery import app

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"worker exited early:\n{self.log_path.read_text()[-3000:]}")
            if app.control.ping(destination=[self.hostname], timeout=1.0):
                # The prefork child loads the model on worker_process_init; give it its log line.
                if "worker model ready" in self.log_path.read_text():
                    return
            time.sleep(0.5)
        raise TimeoutError(f"worker not ready:\n{self.log_path.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self._log.close()


@pytest.fixture(scope="session")
def start_worker(django_db_setup, django_db_blocker, tmp_path_factory):
    """Factory: start a real Celery worker process on its own queue against the test database
    (positional arguments are extra worker options, keywords extra environment)."""
    workers: list[WorkerProcess] = []

    def start(*args: str, **extra_env: str) -> WorkerProcess:
        queue = f"test-{uuid.uuid4().hex[:8]}"
        with django_db_blocker.unblock():
            database_url = _test_database_url()
        env = {**os.environ, "DATABASE_URL": database_url, "THERAPY_NOTES_QUEUE": queue, **extra_env}
        worker = WorkerProcess(queue, env, tmp_path_factory.mktemp("worker") / "worker.log", args)
        workers.append(worker)
        worker.wait_ready()
        return worker

    yield start
    for worker in workers:
        worker.stop()


@pytest.fixture
def use_queue(settings):
    """Point this process's enqueueing at a worker's queue."""

    def use(worker: WorkerProcess) -> None:
        settings.CELERY_TASK_DEFAULT_QUEUE = worker.queue

    return use


def wait_for_job(job_id: str, timeout: float = 180) -> object:
    from sessions.models import NoteJob

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = NoteJob.objects.get(pk=job_id)
        if job.is_final:
            return job
        time.sleep(0.25)
    raise TimeoutError(f"job {job_id} not final after {timeout} s")
