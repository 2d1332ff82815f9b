"""Soak test (issue: reliability): N jobs through the real stack (2 workers + beat reconciler),
while a worker child is SIGKILLed and Redis is flushed at random moments. Loopback only,
bounded in count and time. Prints submitted/succeeded/failed/lost/duplicated.
Run: .venv/bin/python bench/soak.py -n 60 --kills 3 --flushes 2"""

from __future__ import annotations

import argparse
import os
import random
import signal
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psutil
import redis
import requests

from bench.stack import create_session, running_stack
from bench.transcripts import load_transcripts

REDIS_DB_URL = os.environ.get("SOAK_REDIS_URL", "redis://127.0.0.1:6379/14")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=60)
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--flushes", type=int, default=2)
    parser.add_argument("--max-seconds", type=float, default=900)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    transcripts = load_transcripts(args.n)
    env = {"REDIS_URL": REDIS_DB_URL, "THERAPY_NOTES_RECONCILE_INTERVAL": "5",
           "THERAPY_NOTES_STUCK_JOB_SECONDS": "30", "THERAPY_NOTES_N_THREADS": "1"}
    print(f"# soak  {time.strftime('%Y-%m-%d %H:%M')}  jobs={args.n} kills={args.kills} flushes={args.flushes} "
          f"seed={args.seed}")
    started = time.monotonic()
    with running_stack(workers=2, beat=True, extra_env=env) as stack:
        sessions, patient_id = [], None
        for number, text in enumerate(transcripts, start=1):
            patient_id, session_id = create_session(stack, text, number, patient_id)
            sessions.append(session_id)
        events = ["kill"] * args.kills + ["flush"] * args.flushes
        event_at = sorted(rng.sample(range(1, len(sessions)), k=min(len(events), len(sessions) - 1)))
        rng.shuffle(events)
        job_ids: list[str] = []
        for index, session_id in enumerate(sessions):
            response = requests.post(f"{stack.base_url}/api/sessions/{session_id}/generate-notes", json={},
                                     headers=stack.headers(), timeout=30)
            job_ids.append(response.json()["id"])
            if index in event_at:
                event = events.pop()
                if event == "kill":
                    victim = rng.choice(stack.workers)
                    children = psutil.Process(victim.pid).children()
                    if children:
                        children[0].send_signal(signal.SIGKILL)
                        print(f"  t={time.monotonic() - started:6.1f}s SIGKILL worker child {children[0].pid}")
                else:
                    redis.Redis.from_url(REDIS_DB_URL).flushdb()
                    print(f"  t={time.monotonic() - started:6.1f}s Redis FLUSHDB")
            time.sleep(rng.uniform(0, 1.0))
        final: dict[str, dict] = {}
        while len(final) < len(job_ids) and time.monotonic() - started < args.max_seconds:
            for job_id in job_ids:
                if job_id not in final:
                    job = requests.get(f"{stack.base_url}/api/jobs/{job_id}", headers=stack.headers(),
                                       timeout=30).json()
                    if job["status"] not in ("queued", "running"):
                        final[job_id] = job
            time.sleep(1)
        versions = stack.manage("shell", "-c", (
            "from sessions.models import Session, NoteJob;"
            "print([s.notes_version for s in Session.objects.all()]);"
            "print(NoteJob.objects.count())"
        )).strip().splitlines()
    statuses = Counter(job["status"] for job in final.values())
    notes_versions = eval(versions[-2])
    duplicated = sum(1 for v in notes_versions if v > 1) + (int(versions[-1]) - len(job_ids))
    attempts = Counter(job["attempts"] for job in final.values())
    print(f"submitted {len(job_ids)}  succeeded {statuses['succeeded']}  failed {statuses['failed']}  "
          f"lost {len(job_ids) - len(final)}  duplicated {duplicated}  "
          f"attempts histogram {dict(sorted(attempts.items()))}  wall {time.monotonic() - started:.0f}s")
    for job in final.values():
        if job["status"] == "failed":
            print(f"  failed: {job['error_message']}")


if __name__ == "__main__":
    main()
