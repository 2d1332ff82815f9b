"""Faults for the chaos soak (bench/chaos_soak.py), each on the real part: a private Redis the bench
starts and restarts, SIGKILLs of real worker processes, PostgreSQL backends terminated by the server.

The bench never touches a shared service: its Redis is its own ``redis-server`` on its own port, and
the connections it drops are those of its own database.
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import redis
from django.db import connection


@dataclass
class PrivateRedis:
    """A throwaway ``redis-server`` on ``port`` without persistence: a restart loses every key, as a
    broker restart without AOF/RDB does (queued messages, unacknowledged ones, the worker heartbeats)."""

    port: int
    proc: subprocess.Popen | None = None
    restarts: int = 0
    logdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="tn-redis-")))

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        log = (self.logdir / "redis.log").open("a")
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.logdir)], stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if redis.Redis(port=self.port, socket_timeout=1).ping():
                    return
            except redis.RedisError:
                time.sleep(0.05)
        raise TimeoutError(f"private redis on {self.port} did not start")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()  # SHUTDOWN; with --save "" nothing is written, nothing comes back
            self.proc.wait(timeout=10)

    def __enter__(self) -> PrivateRedis:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


def drop_database_connections(database: str) -> int:
    """Terminate every backend of ``database`` but the caller's (the web's, the workers', the beat's):
    what a PostgreSQL restart or a failover does to open connections. Returns how many were ended."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
                       "WHERE datname = %s AND pid <> pg_backend_pid()", [database])
        return int(cursor.fetchone()[0])


def worker_master_of(pid: int, masters: list[int]) -> int | None:
    """The index in ``masters`` of the worker whose pool child is ``pid`` (or which is ``pid``)."""
    try:
        process = psutil.Process(pid)
        candidates = {pid, process.ppid()}
    except psutil.NoSuchProcess:
        return None
    for index, master in enumerate(masters):
        if master in candidates:
            return index
    return None


def kill_process(pid: int) -> bool:
    try:
        os.kill(pid, signal.SIGKILL)
        return True
    except ProcessLookupError:
        return False


def kill_whole_worker(master_pid: int) -> list[int]:
    """SIGKILL a worker's main process, then its pool children (listed first, so that none is missed and
    the master cannot fork a replacement): the host losing the whole worker. Returns the pids killed."""
    try:
        children = psutil.Process(master_pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    killed = [master_pid] if kill_process(master_pid) else []
    killed += [child.pid for child in children if kill_process(child.pid)]
    return killed
