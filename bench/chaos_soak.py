"""Chaos soak (issue 17): jobs through the real stack while faults land at seeded random moments.

The stack is the product's: PostgreSQL, a private Redis started by the bench on its own port, Celery
worker processes, celery beat (the reconciler at its default interval) and the web server, with every
job submitted over HTTP. Most workers run the scripted engine of bench/scripted_worker.py (fast, so the
bulk of the jobs is cheap); ``--real-workers`` run the bundled GGUF and take their share of the queue.

Faults: SIGKILL of a pool child running a job; SIGKILL of a whole worker (main process and children)
running a job, restarted a few seconds later as a supervisor would; a restart of the private Redis
(no persistence: every message and heartbeat is lost); every PostgreSQL backend of the database
terminated; the transcript of a session edited over the API while its note job runs.

Prints lost, duplicated and stale-applied counts (targets: 0), the recovery time after each whole
worker's death (target: at most 60 s), the faults injected, the real-model jobs and the wall time.
Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db to recreate> .venv/bin/python bench/chaos_soak.py
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.chaos import PrivateRedis, drop_database_connections, kill_process, kill_whole_worker, worker_master_of
from bench.chaos_checks import Edit, SoakVerdict, WorkerKill, db_read, verdict
from bench.stack import Stack, create_session, percentile, running_stack
from bench.transcripts import load_transcripts

SCRIPTED_APP, REAL_APP = "bench.scripted_worker", "therapy_notes"
FAULTS = ("child_kill", "worker_kill", "redis_restart", "pg_drop", "transcript_edit")
# A synthetic line a clinician adds while the note is being written (no real clinical text).
EDIT_LINE = "\nTherapist: Correction {n}: we agreed to review the sleep diary at the next session."


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", "--jobs", type=int, default=200)
    parser.add_argument("--scripted-workers", type=int, default=3)
    parser.add_argument("--real-workers", type=int, default=2)
    parser.add_argument("--submit-seconds", type=float, default=420, help="jobs arrive over this long")
    parser.add_argument("--child-kills", type=int, default=8)
    parser.add_argument("--worker-kills", type=int, default=5)
    parser.add_argument("--redis-restarts", type=int, default=3)
    parser.add_argument("--pg-drops", type=int, default=8)
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--redis-port", type=int, default=6391)
    parser.add_argument("--reconcile-interval", type=float, default=20.0, help="the product default")
    parser.add_argument("--stuck-seconds", type=int, default=60,
                        help="re-send jobs a Redis restart lost after this long (product default 300)")
    parser.add_argument("--drain-seconds", type=float, default=600)
    parser.add_argument("--restart-delay", type=float, default=5.0, help="a killed worker is back after this")
    parser.add_argument("--scripted-seconds", default="1,3", help="low,high seconds per scripted generation")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""),
                        help="a PostgreSQL database of the bench's own: it is dropped and created again")
    return parser.parse_args(argv)


def fault_schedule(rng: random.Random, args: argparse.Namespace) -> list[tuple[float, str]]:
    """Seeded fault times across the submission window, at least a few seconds apart so that each
    outcome can be told from the others'."""
    counts = {"child_kill": args.child_kills, "worker_kill": args.worker_kills,
              "redis_restart": args.redis_restarts, "pg_drop": args.pg_drops, "transcript_edit": args.edits}
    kinds = [kind for kind, count in counts.items() for _ in range(count)]
    rng.shuffle(kinds)
    start, end = min(10.0, args.submit_seconds / 4), args.submit_seconds
    gap = min(4.0, (end - start) / max(len(kinds), 1) / 2)
    times: list[float] = []
    while len(times) < len(kinds):
        at = rng.uniform(start, end)
        if all(abs(at - other) >= gap for other in times):
            times.append(at)
    return list(zip(sorted(times), kinds, strict=True))


class Soak:
    def __init__(self, args: argparse.Namespace, stack: Stack, broker: PrivateRedis, database: str,
                 apps: list[str]) -> None:
        self.args, self.stack, self.broker, self.database, self.apps = args, stack, broker, database, apps
        self.rng = random.Random(args.seed + 1)
        self.started = time.monotonic()
        self.jobs: dict[int, str] = {}  # session id -> job id
        self.transcripts: dict[int, str] = {}
        self.injected: Counter[str] = Counter()
        self.skipped: Counter[str] = Counter()
        self.api_5xx: Counter[str] = Counter()
        self.api_unreachable = 0
        self.kills: list[WorkerKill] = []
        self.edits: list[Edit] = []
        self.timers: list[tuple[float, Any]] = []
        self.submit_seconds: list[float] = []

    def t(self) -> float:
        return time.monotonic() - self.started

    def say(self, line: str) -> None:
        print(f"  t={self.t():6.1f}s {line}")

    # --- the API, as a client that retries through the faults ----------------------------------------

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        import requests

        headers = {**self.stack.headers(), **kwargs.pop("headers", {})}
        for _ in range(120):
            try:
                response = requests.request(method, f"{self.stack.base_url}{path}", timeout=30, headers=headers,
                                            **kwargs)
            except requests.RequestException:
                self.api_unreachable += 1
                time.sleep(0.5)
                continue
            if response.status_code >= 500:
                self.api_5xx[f"{method} {re.sub(r'/[0-9]+', '/{id}', path)} {response.status_code}"] += 1
                time.sleep(0.5)
                continue
            response.raise_for_status()
            return response.json()
        raise RuntimeError(f"{method} {path} never answered")

    def submit(self, session_id: int) -> None:
        # The Idempotency-Key makes a retry after a 5xx or a dropped connection return the same job.
        started = time.monotonic()
        job = self.request("POST", f"/api/sessions/{session_id}/generate-notes", json={},
                           headers={"Idempotency-Key": f"chaos-soak-{session_id}"})
        self.submit_seconds.append(time.monotonic() - started)
        self.jobs[session_id] = job["id"]

    # --- faults ---------------------------------------------------------------------------------------

    def running_jobs(self) -> list[tuple[str, str, int]]:
        from sessions.models import NoteJob

        ids = list(self.jobs.values())
        return db_read(lambda: list(NoteJob.objects.filter(pk__in=ids, status=NoteJob.Status.RUNNING)
                                    .values_list("pk", "claimed_by", "session_id")))

    def _running_on_a_worker(self) -> tuple[str, str, int, int] | None:
        """A running job with a live claimant among our workers: (job, claimant, pid, worker index)."""
        masters = [proc.pid for proc in self.stack.workers]
        candidates = []
        for job_id, claimant, _ in self.running_jobs():
            pid = int(claimant.rsplit(":", 1)[-1]) if claimant else 0
            index = worker_master_of(pid, masters) if pid else None
            if index is not None and pid != masters[index] and self.stack.workers[index].poll() is None:
                candidates.append((str(job_id), claimant, pid, index))
        return self.rng.choice(candidates) if candidates else None

    def child_kill(self) -> bool:
        target = self._running_on_a_worker()
        if target is None:
            return False
        job_id, _, pid, index = target
        kill_process(pid)
        self.say(f"SIGKILL pool child {pid} of worker {index} ({self.apps[index]}) running job {job_id[:8]}")
        return True

    def worker_kill(self) -> bool:
        target = self._running_on_a_worker()
        if target is None:
            return False
        job_id, _, _, index = target
        host = target[1].rsplit(":", 1)[0]
        killed = kill_whole_worker(self.stack.workers[index].pid)
        self.kills.append(WorkerKill(job_id, {f"{host}:{pid}" for pid in killed}, time.time(), self.apps[index]))
        self.say(f"SIGKILL whole worker {index} ({self.apps[index]}; pids {killed}) running job {job_id[:8]}")
        self.later(self.args.restart_delay, lambda: self.restart_worker(index))
        return True

    def restart_worker(self, index: int) -> None:
        self.stack.workers[index].wait()
        self.stack.workers[index] = self.stack.start_worker(index, self.apps[index])
        self.say(f"worker {index} restarted (pid {self.stack.workers[index].pid})")

    def redis_restart(self) -> bool:
        # Down for its whole downtime here, not on a timer: a client call blocked on the outage would
        # otherwise stretch it.
        downtime = self.rng.uniform(1.0, 3.0)
        self.broker.stop()
        time.sleep(downtime)
        self.broker.start()
        self.say(f"private Redis restarted after {downtime:.1f}s down (every key lost)")
        return True

    def pg_drop(self) -> bool:
        ended = db_read(lambda: drop_database_connections(self.database))
        self.say(f"PostgreSQL: {ended} backends of {self.database} terminated")
        return True

    def transcript_edit(self) -> bool:
        from sessions.models import NoteJob, transcript_digest

        edited = {edit.session_id for edit in self.edits}
        running = [(job_id, session) for job_id, _, session in self.running_jobs() if session not in edited]
        if not running:
            return False
        job_id, session_id = self.rng.choice(running)
        before = self.transcripts[session_id]
        after = before + EDIT_LINE.format(n=len(self.edits) + 1)
        self.request("PATCH", f"/api/sessions/{session_id}/", json={"original_transcription": after})
        self.transcripts[session_id] = after
        status = db_read(lambda: NoteJob.objects.get(pk=job_id).status)
        self.edits.append(Edit(session_id, str(job_id), transcript_digest(before), transcript_digest(after),
                               time.time(), status))
        self.say(f"transcript of session {session_id} edited while job {str(job_id)[:8]} runs (now {status})")
        return True

    # --- the loop ---------------------------------------------------------------------------------------

    def later(self, seconds: float, action: Any) -> None:
        self.timers.append((self.t() + seconds, action))

    def run_timers(self) -> None:
        due = [timer for timer in self.timers if timer[0] <= self.t()]
        self.timers = [timer for timer in self.timers if timer[0] > self.t()]
        for _, action in due:
            action()

    def track_recoveries(self) -> None:
        from sessions.models import NoteJob

        for kill in self.kills:
            if kill.recovery_seconds is not None or kill.finished_before_kill:
                continue
            job = db_read(lambda kill=kill: NoteJob.objects.get(pk=kill.job_id))
            if job.claimed_by not in kill.dead and job.started_at and job.started_at.timestamp() > kill.at:
                kill.recovery_seconds = job.started_at.timestamp() - kill.at
                self.say(f"job {kill.job_id[:8]} running again on {job.claimed_by} "
                         f"{kill.recovery_seconds:.1f}s after its worker's death")
            elif job.is_final and job.finished_at and job.finished_at.timestamp() <= kill.at:
                kill.finished_before_kill = True  # it ended just before the SIGKILL: not a death mid-job

    def run(self, sessions: list[int]) -> None:
        arrivals = sorted(self.rng.uniform(0, self.args.submit_seconds) for _ in sessions)
        pending_submits = list(zip(arrivals, sessions, strict=True))
        pending_faults = [[at, kind, 0] for at, kind in fault_schedule(random.Random(self.args.seed), self.args)]
        while pending_submits or pending_faults or self.timers:
            now = self.t()
            while pending_submits and pending_submits[0][0] <= now:
                self.submit(pending_submits.pop(0)[1])
            for fault in [f for f in pending_faults if f[0] <= now]:
                pending_faults.remove(fault)
                if getattr(self, fault[1])():
                    self.injected[fault[1]] += 1
                elif fault[2] < 60:  # nothing to hit right now (no job running): try again in a second
                    pending_faults.append([now + 1.0, fault[1], fault[2] + 1])
                else:
                    self.skipped[fault[1]] += 1
            self.run_timers()
            self.track_recoveries()
            time.sleep(0.1)
        self.drain()

    def drain(self) -> None:
        from sessions.models import NoteJob

        deadline = time.monotonic() + self.args.drain_seconds
        ids = list(self.jobs.values())
        while time.monotonic() < deadline:
            self.track_recoveries()
            open_jobs = db_read(lambda: NoteJob.objects.filter(pk__in=ids, status__in=NoteJob.ACTIVE_STATUSES)
                                .count())
            waiting = [k for k in self.kills if k.recovery_seconds is None and not k.finished_before_kill]
            if not open_jobs and not waiting:
                return
            time.sleep(1.0)


def recreate_database(url: str) -> str:
    """Drop and create the bench's own database (named in DATABASE_URL), so every run starts empty."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return name


def reenqueue_reasons(stack: Stack) -> Counter[str]:
    """The reconciler's re-sends, by reason, from the workers' logs (the beat task runs in a worker)."""
    reasons: Counter[str] = Counter()
    for log in stack.logdir.glob("worker*.log"):
        reasons.update(re.findall(r"re-enqueueing job \(([^)]+)\)", log.read_text(errors="replace")))
    return reasons


def report(soak: Soak, result: SoakVerdict, wall: float, reasons: Counter[str]) -> None:
    args = soak.args
    print(f"submitted {result.submitted}  finished {dict(sorted(result.statuses.items()))}  lost {result.lost}  "
          f"duplicated {result.duplicated}  stale-applied {result.stale_applied}  "
          f"(AI notes written into sessions: {result.notes_written})")
    recoveries = [k.recovery_seconds for k in soak.kills if k.recovery_seconds is not None]
    if recoveries:
        print(f"recovery after a whole worker's death: n={len(recoveries)}  min {min(recoveries):.1f}s  "
              f"median {percentile(recoveries, 50):.1f}s  max {max(recoveries):.1f}s  "
              f"(each: {', '.join(f'{r:.1f}' for r in recoveries)})")
    unrecovered = [k.job_id[:8] for k in soak.kills if k.recovery_seconds is None and not k.finished_before_kill]
    print(f"whole-worker deaths never recovered: {len(unrecovered)} {unrecovered or ''}")
    print(f"faults injected {dict(soak.injected)}  skipped (nothing running) {dict(soak.skipped)}")
    print(f"transcript edits mid-job {len(soak.edits)}: note kept aside as stale {result.edits_kept_stale}, "
          f"re-run on the edited transcript and applied {result.edits_rerun_applied}, "
          f"job had already ended {result.edits_after_end}")
    print(f"real-model jobs (bundled GGUF, {args.real_workers} worker(s)): {result.real_jobs} finished "
          f"{dict(result.real_statuses)}, fallback notes {result.real_fallbacks}, "
          f"inference p50 {result.real_inference_p50:.1f}s" if result.real_jobs else "real-model jobs: none")
    print(f"attempts histogram {dict(sorted(result.attempts.items()))}  reconciler re-sends {dict(reasons)}")
    print(f"API 5xx answers seen by the client (retried) {dict(soak.api_5xx) or 0}  "
          f"connection errors {soak.api_unreachable}  submit p50 {percentile(soak.submit_seconds, 50):.2f}s "
          f"max {max(soak.submit_seconds, default=0):.1f}s")
    for message, count in result.failures.items():
        print(f"  failed x{count}: {message}")
    for line in result.problems:
        print(f"  PROBLEM: {line}")
    print(f"wall {wall:.0f}s")
    # One machine-readable line, for scripts that compare runs.
    print("verdict " + json.dumps({"submitted": result.submitted, "lost": result.lost,
                                   "duplicated": result.duplicated, "stale_applied": result.stale_applied,
                                   "recoveries": recoveries, "unrecovered": len(unrecovered),
                                   "injected": dict(soak.injected), "problems": result.problems}))


def main(argv: list[str] | None = None) -> SoakVerdict:
    args = parse_args(argv)
    url = args.database_url
    if not url.startswith("postgres"):
        raise SystemExit("DATABASE_URL must name a PostgreSQL database of the bench's own (it is recreated)")
    database = recreate_database(url)
    os.environ["DATABASE_URL"] = url  # bench/stack.py and this process's verdict read it
    started = time.monotonic()
    apps = [SCRIPTED_APP] * args.scripted_workers + [REAL_APP] * args.real_workers
    with PrivateRedis(args.redis_port) as broker:
        env = {"REDIS_URL": broker.url, "CELERY_BROKER_URL": broker.url, "CELERY_RESULT_BACKEND": broker.url,
               "THERAPY_NOTES_RECONCILE_INTERVAL": str(args.reconcile_interval),
               "THERAPY_NOTES_STUCK_JOB_SECONDS": str(args.stuck_seconds), "THERAPY_NOTES_N_THREADS": "1",
               "SOAK_SCRIPTED_SECONDS": args.scripted_seconds}
        os.environ.update(env)  # this process reads the same database for the verdict
        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "therapy_notes.settings")
        django.setup()
        print(f"# chaos soak  {time.strftime('%Y-%m-%d %H:%M')}  jobs={args.jobs}  workers: "
              f"{args.scripted_workers} scripted + {args.real_workers} real model  seed={args.seed}  "
              f"reconcile every {args.reconcile_interval:g}s  stuck after {args.stuck_seconds}s  "
              f"private redis :{args.redis_port}")
        with running_stack(beat=True, extra_env=env, worker_apps=apps) as stack:
            soak = Soak(args, stack, broker, database, apps)
            sessions, patient_id = [], None
            for number, text in enumerate(load_transcripts(args.jobs), start=1):
                patient_id, session_id = create_session(stack, text, number, patient_id)
                sessions.append(session_id)
            # As stored (the API normalises line ends and outer whitespace): edits extend these.
            from sessions.models import Session

            soak.transcripts = dict(Session.objects.filter(pk__in=sessions)
                                    .values_list("pk", "original_transcription"))
            soak.started = time.monotonic()
            soak.run(sessions)
            result = verdict(sessions, soak.jobs, soak.edits, soak.transcripts)
            reasons = reenqueue_reasons(stack)
            print(f"logs: {stack.logdir}")
    report(soak, result, time.monotonic() - started, reasons)
    return result


if __name__ == "__main__":
    main()
