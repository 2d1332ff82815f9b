"""Start the real stack for a benchmark: a fresh SQLite (or $DATABASE_URL) database, N Celery
worker processes and the web server, all on loopback. Used as a context manager."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests

# Benches print progress line by line; keep it visible when stdout is redirected to a file.
sys.stdout.reconfigure(line_buffering=True)

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Stack:
    base_url: str
    env: dict[str, str]
    token: str = ""
    processes: list[subprocess.Popen] = field(default_factory=list)
    workers: list[subprocess.Popen] = field(default_factory=list)
    logdir: Path = Path(".")

    def manage(self, *args: str) -> str:
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=self.env,
                              capture_output=True, text=True, check=True)
        return done.stdout

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Token {self.token}"}

    def start_worker(self, index: int, app: str = "therapy_notes", concurrency: int = 1) -> subprocess.Popen:
        """Start worker ``index`` (a restart after a kill appends to the same log)."""
        queue = self.env["THERAPY_NOTES_QUEUE"]
        log = (self.logdir / f"worker{index}.log").open("a")
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", app, "worker", "--loglevel", "WARNING",
             "--concurrency", str(concurrency), "-Q", queue, "--hostname", f"bench{index}-{queue}@%h",
             "--without-gossip", "--without-mingle"],
            cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT,
        )
        self.processes.append(proc)
        return proc


def _wait_http(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"{url} not ready after {timeout} s")


@contextmanager
def running_stack(
    *, workers: int = 1, concurrency: int = 1, beat: bool = False, extra_env: dict[str, str] | None = None,
    worker_apps: list[str] | None = None,
) -> Iterator[Stack]:
    """``worker_apps``: the Celery app module of each worker (default: ``workers`` x the product's
    ``therapy_notes``); a soak names ``bench.scripted_worker`` for workers with a scripted engine."""
    tmp = Path(tempfile.mkdtemp(prefix="tn-bench-"))
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{tmp / 'bench.sqlite3'}"),
        "THERAPY_NOTES_QUEUE": queue,
        "THERAPY_NOTES_JOB_THROTTLE": "100000/min",
        **(extra_env or {}),
    }
    port = free_port()
    stack = Stack(base_url=f"http://127.0.0.1:{port}", env=env, logdir=tmp)
    stack.manage("migrate", "--noinput")
    stack.token = stack.manage("issue_token", "--create", "bench").strip().splitlines()[-1]
    # /health shows the workers (host, pid, counters) to staff only: the bench reads them.
    stack.manage("shell", "-c", "from django.contrib.auth import get_user_model; "
                 "get_user_model().objects.filter(username='bench').update(is_staff=True)")
    try:
        apps = worker_apps or ["therapy_notes"] * workers
        for index, app in enumerate(apps):
            stack.workers.append(stack.start_worker(index, app, concurrency))
        if beat:
            beat_log = (tmp / "beat.log").open("w")
            stack.processes.append(subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "therapy_notes", "beat", "--loglevel", "INFO",
                 "--schedule", str(tmp / "beat-schedule")],
                cwd=REPO, env=env, stdout=beat_log, stderr=subprocess.STDOUT,
            ))
        web_log = (tmp / "web.log").open("w")
        stack.processes.append(subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", "--skip-checks",
             f"127.0.0.1:{port}"], cwd=REPO, env=env, stdout=web_log, stderr=subprocess.STDOUT,
        ))
        _wait_http(f"{stack.base_url}/health", 60)
        expected = len(apps) * concurrency
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            body = requests.get(f"{stack.base_url}/health", headers=stack.headers(), timeout=5).json()
            mine = [w for w in body["workers"] if w.get("model_loaded")]
            if len(mine) >= expected:
                break
            time.sleep(0.5)
        yield stack
    finally:
        for proc in stack.processes:
            proc.terminate()
        for proc in stack.processes:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


def create_session(stack: Stack, transcript: str, number: int, patient_id: int | None = None) -> tuple[int, int]:
    if patient_id is None:
        patient_id = requests.post(f"{stack.base_url}/api/patients/", json={"display_name": "Bench patient"},
                                   headers=stack.headers(), timeout=30).json()["id"]
    response = requests.post(f"{stack.base_url}/api/sessions/", headers=stack.headers(), timeout=30, json={
        "patient": patient_id, "session_number": number, "session_date": "2026-11-01",
        "original_transcription": transcript})
    response.raise_for_status()
    return patient_id, response.json()["id"]


def poll_job(stack: Stack, poll_url: str, timeout: float = 600, interval: float = 0.05) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = requests.get(poll_url, headers=stack.headers(), timeout=30).json()
        if job["status"] not in ("queued", "running"):
            return job
        time.sleep(interval)
    raise TimeoutError(poll_url)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(int(round(q / 100 * (len(ordered) - 1))), len(ordered) - 1)
    return ordered[index]
